import { Testing } from 'cdktf';

// Registers toHaveResource, toHaveResourceWithProperties, toBeValidTerraform, ... on expect.
Testing.setupJest();
