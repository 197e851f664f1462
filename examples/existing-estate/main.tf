# A hand-written root module, as a team with an existing Terraform estate would write it: two
# environments of the orders pipeline from the module that `npm run synth` writes to
# cdktf.out/stacks/orders-module, each in its own region, and other resources that use its outputs.

terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

provider "aws" {
  alias  = "ireland"
  region = "eu-west-1"
}

provider "aws" {
  alias  = "frankfurt"
  region = "eu-central-1"
}

locals {
  environments = {
    staging = { batch_size = 100, log_retention_days = 7 }
    prod    = { batch_size = 1000, log_retention_days = 90 }
  }
}

# The on-call topic the estate already owns; the pipeline alarms notify it.
resource "aws_sns_topic" "oncall" {
  provider          = aws.ireland
  name              = "oncall-pages"
  kms_master_key_id = "alias/oncall"
}

module "orders" {
  source   = "../../cdktf.out/stacks/orders-module"
  for_each = local.environments

  # The module declares no providers of its own: the caller passes its configuration (and may use
  # for_each, which Terraform refuses for modules that configure providers themselves).
  providers = {
    aws = aws.ireland
  }

  name_prefix        = "shop-${each.key}"
  batch_size         = each.value.batch_size
  log_retention_days = each.value.log_retention_days
  alarm_action_arns  = [aws_sns_topic.oncall.arn]
  tags = {
    environment = each.key
    owner       = "orders-team"
  }
}

# The estate's analytics account reads the stream from another region's tooling: grant a role.
resource "aws_iam_role" "stream_auditor" {
  provider = aws.frankfurt
  name     = "orders-stream-auditor"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "stream_auditor" {
  provider = aws.frankfurt
  name     = "read-order-streams"
  role     = aws_iam_role.stream_auditor.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
      Resource = [for m in module.orders : m.stream_arn]
    }]
  })
}

# Page when anything is parked in a failure queue for more than an hour.
resource "aws_cloudwatch_metric_alarm" "failures_parked" {
  for_each            = module.orders
  provider            = aws.ireland
  alarm_name          = "${each.key}-orders-failures-parked"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = element(split("/", each.value.failure_queue_url), 4) }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 3600
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.oncall.arn]
}

output "orders_tables" {
  value = { for k, m in module.orders : k => m.table_arn }
}

output "dashboards" {
  value = { for k, m in module.orders : k => m.dashboard_name }
}
