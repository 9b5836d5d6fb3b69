package dev.gokac.bench;

import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The benchmark accumulator on Kafka Streams: an int64 input stream grouped by
 * key and summed into a RocksDB store named {@code table} (changelog
 * {@code <application.id>-table-changelog}).
 *
 * <p>Arguments: {@code brokers applicationId inputTopic stateDir threads expectRestores}.
 * Prints {@code READY <epoch-ms>} once the instance is RUNNING and at least
 * {@code expectRestores} store partitions finished restoring; stops cleanly on SIGTERM.
 */
public final class Accumulator {
  public static void main(String[] args) throws Exception {
    if (args.length != 6 && args.length != 7) {
      System.err.println("usage: Accumulator brokers applicationId inputTopic stateDir threads expectRestores [processingGuarantee]");
      System.exit(2);
    }
    String brokers = args[0];
    String applicationId = args[1];
    String input = args[2];
    String stateDir = args[3];
    int threads = Integer.parseInt(args[4]);
    int expectRestores = Integer.parseInt(args[5]);
    // Optional: "exactly_once_v2" for the exactly-once rows (default at_least_once).
    String guarantee = args.length > 6 ? args[6] : StreamsConfig.AT_LEAST_ONCE;

    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(input, Consumed.with(Serdes.String(), Serdes.Long()))
        .groupByKey()
        .aggregate(() -> 0L, (key, value, sum) -> sum + value,
            Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("table")
                .withKeySerde(Serdes.String())
                .withValueSerde(Serdes.Long()));

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    // At-least-once commits every 30 s by default; Goka (sarama) commits every second.
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
    // exactly_once_v2 commits a transaction per commit interval (its default interval is 100 ms; 1 s here as at-least-once).
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    // Streams members do not leave the group on close, so a restart (the recovery
    // repetitions) would wait out the session timeout; a static member is replaced at once.
    props.put(StreamsConfig.consumerPrefix("group.instance.id"), "bench-kstreams");

    AtomicInteger restored = new AtomicInteger();
    AtomicBoolean restoring = new AtomicBoolean();
    CountDownLatch stopped = new CountDownLatch(1);
    KafkaStreams streams = new KafkaStreams(builder.build(), props);
    Runnable maybeReady = new Runnable() {
      private boolean said;

      @Override
      public synchronized void run() {
        if (!said && streams.state() == KafkaStreams.State.RUNNING && restored.get() >= expectRestores) {
          said = true;
          System.out.println("READY " + System.currentTimeMillis());
          System.out.flush();
        }
      }
    };
    streams.setGlobalStateRestoreListener(new StateRestoreListener() {
      @Override
      public void onRestoreStart(TopicPartition tp, String store, long start, long end) {
        // The recovery phase starts with the first store partition restoring.
        if (restoring.compareAndSet(false, true)) {
          System.out.println("RECOVERING " + System.currentTimeMillis());
          System.out.flush();
        }
      }

      @Override
      public void onBatchRestored(TopicPartition tp, String store, long batchEnd, long n) {}

      @Override
      public void onRestoreEnd(TopicPartition tp, String store, long total) {
        restored.incrementAndGet();
        maybeReady.run();
      }
    });
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING) {
        maybeReady.run();
      }
      if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
        stopped.countDown();
      }
    });
    streams.setUncaughtExceptionHandler(e -> {
      e.printStackTrace();
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(java.time.Duration.ofSeconds(20)));
      stopped.countDown();
    }));
    streams.start();
    stopped.await();
  }
}
