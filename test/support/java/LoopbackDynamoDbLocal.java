import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts DynamoDB Local bound to 127.0.0.1 on a port the OS picks, then prints
 * "LISTENING <port>". ServerRunner alone binds every interface on a fixed port; tests must stay on
 * loopback and must not race each other for ports.
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "-port";
    all[args.length + 1] = "8000"; // placeholder: the connector is moved to an OS-picked port below
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(all);
    Field f = DynamoDBProxyServer.class.getDeclaredField("server");
    f.setAccessible(true);
    Server server = (Server) f.get(proxy);
    for (Connector c : server.getConnectors()) {
      ((ServerConnector) c).setHost("127.0.0.1");
      ((ServerConnector) c).setPort(0);
    }
    proxy.start();
    System.out.println("LISTENING " + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
    System.out.flush();
    proxy.join();
  }
}
