// Validates broker settings the way Kafka does at start-up, for tests/tools/check_deploy.py:
// each argument is a KEY=VALUE property (from the compose file's KAFKA_* variables), plus
// cluster.id=<id> for the KRaft storage format's cluster id. Prints "ok" and exits 0, or the
// broker's own error and exits 1.
//   java -cp 'deploy/kafka/libs/*' tests/tools/KafkaBrokerConfig.java process.roles=... ...
import java.util.Properties;

public class KafkaBrokerConfig {
    public static void main(String[] args) {
        Properties props = new Properties();
        String clusterId = null;
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String key = arg.substring(0, eq), value = arg.substring(eq + 1);
            if (key.equals("cluster.id")) clusterId = value;
            else props.setProperty(key, value);
        }
        try {
            if (clusterId != null) org.apache.kafka.common.Uuid.fromString(clusterId);
            new kafka.server.KafkaConfig(props, true);
            for (String key : props.stringPropertyNames()) {
                if (!kafka.server.KafkaConfig.configNames().contains(key))
                    throw new IllegalArgumentException("unknown broker property " + key);
            }
            System.out.println("ok");
        } catch (RuntimeException e) {
            System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            System.exit(1);
        }
    }
}
