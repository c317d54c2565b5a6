// Validates consumer properties the way kafka-clients does, for
// tests/tools/check_consumer_security.py: the argument is a .properties file; every key must be
// a name ConsumerConfig knows and ConsumerConfig must accept every value (types, enums, classes).
// Prints "ok" and exits 0, or the client's own error and exits 1.
//   java -cp 'deploy/kafka/libs/*' tests/tools/KafkaClientConfig.java consumer.properties
import java.io.FileReader;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;

public class KafkaClientConfig {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        try (FileReader in = new FileReader(args[0])) {
            props.load(in);
        }
        try {
            for (String key : props.stringPropertyNames()) {
                if (!ConsumerConfig.configNames().contains(key))
                    throw new IllegalArgumentException("unknown consumer property " + key);
            }
            new ConsumerConfig(props);
            System.out.println("ok");
        } catch (RuntimeException e) {
            System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            System.exit(1);
        }
    }
}
