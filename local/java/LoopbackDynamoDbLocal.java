import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.util.Map;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.AbstractLocalDynamoDBServerHandler;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;
import software.amazon.dynamodb.services.local.shared.access.AmazonDynamoDBLocal;

/**
 * Starts DynamoDB Local bound to 127.0.0.1 on a port the OS picks (or on the port the system
 * property loopback.port names: a region brought back after an outage listens where its clients
 * expect it), then prints "LISTENING <port>". ServerRunner alone binds every interface on a fixed
 * port; tests must stay on loopback and must not race each other for ports.
 *
 * Then reads commands on stdin, one per line, and answers "DONE <id>" or "FAILED <id> <why>":
 *   ROLLOVER <id>     closes every open stream shard now and opens its child (DynamoDB Local
 *                     does this on its own every 4 hours, as DynamoDB does every few hours);
 *   AGE <ms> <id>     makes every stream record (and shard) <ms> older (its time dilation).
 * Both are DynamoDB Local's own test hooks (AmazonDynamoDBLocal.triggerShardRollovers and
 * dilateEventTimes), which its HTTP API does not expose. End of stdin stops the server.
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "-port";
    all[args.length + 1] = "8000"; // placeholder: the connector is moved to its loopback port below
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(all);
    Server server = (Server) field(DynamoDBProxyServer.class, "server").get(proxy);
    int port = Integer.getInteger("loopback.port", 0);
    for (Connector c : server.getConnectors()) {
      ((ServerConnector) c).setHost("127.0.0.1");
      ((ServerConnector) c).setPort(port);
    }
    proxy.start();
    System.out.println("LISTENING " + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    for (String line; (line = in.readLine()) != null; ) {
      String[] words = line.trim().split("\\s+");
      String id = words[words.length - 1];
      try {
        for (AmazonDynamoDBLocal db : databases(proxy).values()) {
          if (words[0].equals("ROLLOVER")) db.triggerShardRollovers();
          else if (words[0].equals("AGE")) db.dilateEventTimes(Long.parseLong(words[1]));
          else throw new IllegalArgumentException("unknown command " + words[0]);
        }
        System.out.println("DONE " + id);
      } catch (Exception e) {
        System.out.println("FAILED " + id + " " + e);
      }
      System.out.flush();
    }
    proxy.stop();
    System.exit(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, AmazonDynamoDBLocal> databases(DynamoDBProxyServer proxy) throws Exception {
    Object handler = field(DynamoDBProxyServer.class, "serverHandler").get(proxy);
    Object requests = field(AbstractLocalDynamoDBServerHandler.class, "primaryHandler").get(handler);
    return (Map<String, AmazonDynamoDBLocal>) field(requests.getClass(), "dbRequestHandlers").get(requests);
  }

  private static Field field(Class<?> type, String name) throws NoSuchFieldException {
    Field f = type.getDeclaredField(name);
    f.setAccessible(true);
    return f;
  }
}
