// A plain Java Kafka client for gokac's system tests, compiled at test time
// against the broker's own kafka-clients jar (.kafka/lib).
//
//   produce <bootstrap> <job>...   job = topic,codec,value,count,keyPrefix,header,key
//     codec:  none | gzip | snappy | lz4 | zstd (the producer's compression.type)
//     value:  long (LongSerializer, value i) | string (StringSerializer, "v" + i)
//     header: none | null (a header "h" with a null value on every record)
//     key:    utf8 (keyPrefix + i) | invalid (the bytes ff fe, not UTF-8)
//   consume <bootstrap> <topic> <count>
//     prints key<TAB>value (StringDeserializer) of the first <count> records, then exits.
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public final class JavaClient {
  public static void main(String[] args) throws Exception {
    if (args[0].equals("produce")) {
      for (int i = 2; i < args.length; i++) produce(args[1], args[i].split(","));
    } else if (args[0].equals("consume")) {
      consume(args[1], args[2], Integer.parseInt(args[3]));
    } else {
      throw new IllegalArgumentException("produce or consume");
    }
  }

  private static void produce(String bootstrap, String[] job) throws Exception {
    String topic = job[0];
    String codec = job[1];
    boolean longValues = job[2].equals("long");
    int count = Integer.parseInt(job[3]);
    String prefix = job[4];
    boolean nullHeader = job[5].equals("null");
    boolean invalidKey = job[6].equals("invalid");
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("compression.type", codec);
    props.put("linger.ms", "20");
    props.put("batch.size", "262144");
    props.put("acks", "all");
    Serializer<Object> keys = cast(new ByteArraySerializer());
    Serializer<Object> values = longValues ? cast(new LongSerializer()) : cast(new StringSerializer());
    try (KafkaProducer<Object, Object> producer = new KafkaProducer<>(props, keys, values)) {
      for (int i = 0; i < count; i++) {
        byte[] key = invalidKey ? new byte[] {(byte) 0xff, (byte) 0xfe} : (prefix + i).getBytes("UTF-8");
        Object value = longValues ? (Object) Long.valueOf(i) : (Object) ("v" + i);
        RecordHeaders headers = new RecordHeaders();
        if (nullHeader) headers.add("h", null);
        producer.send(new ProducerRecord<>(topic, null, key, value, headers));
      }
      producer.flush();
    }
  }

  private static void consume(String bootstrap, String topic, int count) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("group.id", "java-" + topic);
    props.put("auto.offset.reset", "earliest");
    props.put("enable.auto.commit", "false");
    int seen = 0;
    long deadline = System.currentTimeMillis() + 60_000;
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      while (seen < count && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          System.out.println(r.key() + "\t" + r.value());
          seen++;
        }
      }
    }
    System.out.flush();
  }

  @SuppressWarnings("unchecked")
  private static Serializer<Object> cast(Serializer<?> serializer) {
    return (Serializer<Object>) serializer;
  }
}
