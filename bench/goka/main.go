// Command goka-bench runs the benchmark accumulator on Goka v1.1.16: one int64
// input topic, a group table (int64 per key) that sums the input per key.
//
// It prints `RECOVERING <epoch-ms>` when the group assigns it partitions
// (Setup) and `READY <epoch-ms>` once every assigned partition table is
// recovered and the processor runs (Goka's WaitForReady), and stops cleanly
// on SIGINT/SIGTERM. The bench runner measures throughput from the outside
// (committed offsets) and recovery from the READY line.
package main

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"
	"github.com/lovoo/goka/storage"
)

// int64Codec is Kafka's LongSerializer format: 8 bytes, big-endian.
type int64Codec struct{}

func (int64Codec) Encode(value interface{}) ([]byte, error) {
	v, ok := value.(int64)
	if !ok {
		return nil, fmt.Errorf("int64Codec: %T is not int64", value)
	}
	buf := make([]byte, 8)
	binary.BigEndian.PutUint64(buf, uint64(v))
	return buf, nil
}

func (int64Codec) Decode(data []byte) (interface{}, error) {
	if len(data) != 8 {
		return nil, fmt.Errorf("int64Codec: %d bytes, want 8", len(data))
	}
	return int64(binary.BigEndian.Uint64(data)), nil
}

func accumulate(ctx goka.Context, msg interface{}) {
	sum, _ := ctx.Value().(int64)
	ctx.SetValue(sum + msg.(int64))
}

func main() {
	brokers := flag.String("brokers", "127.0.0.1:9092", "bootstrap broker")
	group := flag.String("group", "bench-acc", "consumer group; the table is <group>-table")
	input := flag.String("input", "bench-input", "input topic")
	stateDir := flag.String("state-dir", "/tmp/goka-bench", "LevelDB folder")
	verbose := flag.Bool("verbose", false, "keep Goka's log")
	flag.Parse()

	quiet := log.New(io.Discard, "", 0)
	if *verbose {
		quiet = log.New(os.Stderr, "", log.LstdFlags)
	}

	cfg := goka.DefaultConfig()
	// Kafka 4 removed the old protocol versions sarama uses by default.
	cfg.Version = sarama.V4_0_0_0
	// A fresh group reads its input from the beginning, like the other contenders.
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	// Same wire format as the other contenders (Goka's default is snappy).
	cfg.Producer.Compression = sarama.CompressionNone
	goka.ReplaceGlobalConfig(cfg)

	tmc := goka.NewTopicManagerConfig()
	tmc.Table.Replication = 1
	tmc.Stream.Replication = 1

	graph := goka.DefineGroup(goka.Group(*group),
		goka.Input(goka.Stream(*input), int64Codec{}, accumulate),
		goka.Persist(int64Codec{}),
	)
	proc, err := goka.NewProcessor([]string{*brokers}, graph,
		goka.WithTopicManagerBuilder(goka.TopicManagerBuilderWithConfig(cfg, tmc)),
		goka.WithStorageBuilder(storage.DefaultBuilder(*stateDir)),
		goka.WithLogger(quiet),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, "goka-bench:", err)
		os.Exit(1)
	}

	ctx, cancel := context.WithCancel(context.Background())
	// The recovery phase starts with the group's assignment (Setup), as gokac's first assigned partition.
	setup := proc.StateReader().WaitForState(goka.ProcStateSetup)
	go func() {
		select {
		case <-setup:
			fmt.Printf("RECOVERING %d\n", time.Now().UnixMilli())
		case <-ctx.Done():
		}
	}()
	done := make(chan error, 1)
	go func() { done <- proc.Run(ctx) }()

	go func() {
		if err := proc.WaitForReadyContext(ctx); err == nil {
			fmt.Printf("READY %d\n", time.Now().UnixMilli())
		}
	}()

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-sigs:
		cancel()
		err = <-done
	case err = <-done:
		cancel()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "goka-bench:", err)
		os.Exit(1)
	}
}
