// Command goka-interop plays the Goka side of gokac's interop system test
// (test/system/goka-interop.test.ts) with Goka v1.1.16 and its default
// hasher (FNV-1a), so gokac's `partitioner: goka` is checked against the real
// thing. Every subcommand uses Goka's defaults except what Kafka 4 needs.
//
//	hash    -partitions N key...       prints key<TAB>partition as sarama places it for a Goka emitter
//	emit    -topic T -prefix P -n N    a Goka emitter sends P-0..P-(N-1), values v-<i>
//	view    -table T -prefix P -n N    a Goka view of T; prints "found <count>" and each missing key
//	process -group G -input T          a Goka processor: G-table[key] = "goka:" + msg; prints READY, stops on SIGTERM
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"
	"github.com/lovoo/goka/storage"
)

func fail(err error) {
	fmt.Fprintln(os.Stderr, "goka-interop:", err)
	os.Exit(1)
}

func configure() *sarama.Config {
	cfg := goka.DefaultConfig()
	// Kafka 4 removed the old protocol versions sarama uses by default.
	cfg.Version = sarama.V4_0_0_0
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	// The producer keeps Goka's default compression (snappy): gokac reads it.
	goka.ReplaceGlobalConfig(cfg)
	return cfg
}

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: goka-interop hash|emit|view|process [flags]"))
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	brokers := fs.String("brokers", "127.0.0.1:9092", "bootstrap broker")
	topic := fs.String("topic", "", "stream to emit to")
	table := fs.String("table", "", "table topic to view")
	group := fs.String("group", "", "processor group")
	input := fs.String("input", "", "processor input stream")
	prefix := fs.String("prefix", "key", "key prefix")
	n := fs.Int("n", 200, "number of keys")
	partitions := fs.Int("partitions", 1, "partition count (hash)")
	_ = fs.Parse(os.Args[2:])
	cfg := configure()
	logger := goka.WithLogger(log.New(io.Discard, "", 0))
	keys := make([]string, *n)
	for i := range keys {
		keys[i] = *prefix + "-" + strconv.Itoa(i)
	}

	switch os.Args[1] {
	case "hash":
		// Exactly what a Goka emitter's producer does with a key.
		p := sarama.NewCustomHashPartitioner(goka.DefaultHasher())("any")
		for _, key := range fs.Args() {
			part, err := p.Partition(&sarama.ProducerMessage{Key: sarama.StringEncoder(key)}, int32(*partitions))
			if err != nil {
				fail(err)
			}
			fmt.Printf("%s\t%d\n", key, part)
		}
	case "emit":
		em, err := goka.NewEmitter([]string{*brokers}, goka.Stream(*topic), new(codec.String))
		if err != nil {
			fail(err)
		}
		for i, key := range keys {
			if _, err := em.Emit(key, "v-"+strconv.Itoa(i)); err != nil {
				fail(err)
			}
		}
		if err := em.Finish(); err != nil {
			fail(err)
		}
		fmt.Printf("sent %d\n", len(keys))
	case "view":
		view, err := goka.NewView([]string{*brokers}, goka.Table(*table), new(codec.String),
			goka.WithViewStorageBuilder(storage.MemoryBuilder()), goka.WithViewLogger(log.New(io.Discard, "", 0)))
		if err != nil {
			fail(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- view.Run(ctx) }()
		select {
		case <-view.WaitRunning():
		case err := <-done:
			fail(fmt.Errorf("view stopped before recovering: %v", err))
		}
		var missing []string
		for _, key := range keys {
			v, err := view.Get(key)
			if err != nil {
				fail(err)
			}
			if v == nil {
				missing = append(missing, key)
			} else {
				fmt.Printf("value\t%s\t%s\n", key, v.(string))
			}
		}
		fmt.Printf("found %d\n", len(keys)-len(missing))
		if len(missing) > 0 {
			fmt.Printf("missing %s\n", strings.Join(missing, " "))
		}
		cancel()
		<-done
	case "process":
		tmc := goka.NewTopicManagerConfig()
		tmc.Table.Replication = 1
		tmc.Stream.Replication = 1
		graph := goka.DefineGroup(goka.Group(*group),
			goka.Input(goka.Stream(*input), new(codec.String), func(ctx goka.Context, msg interface{}) {
				ctx.SetValue("goka:" + msg.(string))
			}),
			goka.Persist(new(codec.String)),
		)
		proc, err := goka.NewProcessor([]string{*brokers}, graph,
			goka.WithTopicManagerBuilder(goka.TopicManagerBuilderWithConfig(cfg, tmc)),
			goka.WithStorageBuilder(storage.MemoryBuilder()),
			logger,
		)
		if err != nil {
			fail(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- proc.Run(ctx) }()
		go func() {
			if err := proc.WaitForReadyContext(ctx); err == nil {
				fmt.Println("READY")
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
			fail(err)
		}
	default:
		fail(fmt.Errorf("unknown subcommand %s", os.Args[1]))
	}
}
