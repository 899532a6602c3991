// Command samsa-go-client is a plain generated gRPC client talking to Samsa: no SDK, just the stubs
// that protoc-gen-go and protoc-gen-go-grpc make from proto/.
//
// It asks a broker for cluster metadata (which also names the active controller), creates a topic
// on the controller, produces structured records (the broker builds the record batches and picks
// partitions with murmur2 of the key, as Kafka does), streams every partition back with the
// Consume server stream, and shows how a failed call carries its machine-readable reason in the
// `samsa-error-reason` trailer, for unary calls and for streams.
//
//	bash examples/go/build.sh
//	examples/go/gen/bin/samsa-go-client --bootstrap 127.0.0.1:9092 --topic go-demo
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
	"unicode"

	samsav1 "github.com/samsa-log/samsa/gen/go/samsa/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Trailers every Samsa error carries (see docs/api.md, "Error model").
const (
	reasonTrailer    = "samsa-error-reason"
	retriableTrailer = "samsa-retriable"
)

func main() {
	bootstrap := flag.String("bootstrap", envOr("SAMSA_BOOTSTRAP", "127.0.0.1:9092"), "any broker, host:port")
	topic := flag.String("topic", "go-demo", "topic to create, produce to and consume")
	partitions := flag.Int("partitions", 3, "partitions of the topic")
	replicationFactor := flag.Int("replication-factor", 1, "replication factor of the topic")
	count := flag.Int("count", 10, "records to produce")
	flag.Parse()
	if err := run(*bootstrap, *topic, int32(*partitions), int32(*replicationFactor), *count); err != nil {
		fmt.Fprintln(os.Stderr, "samsa-go-client:", err)
		os.Exit(1)
	}
}

func run(bootstrap, topic string, partitions, replicationFactor int32, count int) error {
	brokerConn, err := grpc.Dial(bootstrap, grpc.WithInsecure())
	if err != nil {
		return err
	}
	defer brokerConn.Close()
	broker := samsav1.NewBrokerServiceClient(brokerConn)

	// 1. Metadata from any broker: live brokers and the active controller.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	md, err := broker.GetMetadata(ctx, &samsav1.GetMetadataRequest{}, grpc.WaitForReady(true))
	cancel()
	if err != nil {
		return fmt.Errorf("cannot reach %s: %s (is the cluster running? `npm start`)", bootstrap, codeName(err))
	}
	if md.Controller == nil {
		return errors.New("no active controller right now; try again in a moment")
	}
	controllerAddress := fmt.Sprintf("%s:%d", md.Controller.Host, md.Controller.Port)
	fmt.Printf("cluster %s: %d brokers, controller %d at %s\n", md.ClusterId, len(md.Brokers), md.Controller.Id, controllerAddress)

	// 2. Create the topic on the controller; creating it again shows an error reason.
	controllerConn, err := grpc.Dial(controllerAddress, grpc.WithInsecure())
	if err != nil {
		return err
	}
	defer controllerConn.Close()
	controller := samsav1.NewControllerServiceClient(controllerConn)
	create := &samsav1.CreateTopicRequest{Name: topic, Partitions: partitions, ReplicationFactor: replicationFactor}
	var trailer metadata.MD
	ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
	created, err := controller.CreateTopic(ctx, create, grpc.Trailer(&trailer))
	cancel()
	switch {
	case err == nil:
		fmt.Printf("created topic %s with %d partitions\n", created.Topic.Name, len(created.Topic.Partitions))
	case first(trailer, reasonTrailer) == "TOPIC_ALREADY_EXISTS":
		fmt.Printf("topic %s already exists\n", topic)
	default:
		return describe("create topic", err, trailer)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
	_, err = controller.CreateTopic(ctx, create, grpc.Trailer(&trailer))
	cancel()
	report("create the same topic again", err, trailer)

	// 3. Produce structured records; the broker picks partitions by key (murmur2).
	records := make([]*samsav1.Record, count)
	for i := range records {
		user := fmt.Sprintf("user-%d", i%4)
		records[i] = &samsav1.Record{
			Key:     []byte(user),
			Value:   []byte(fmt.Sprintf(`{"user": "%s", "event": "click", "n": %d}`, user, i)),
			Headers: []*samsav1.RecordHeader{{Key: "source", Value: []byte("go")}},
		}
	}
	ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
	produced, err := broker.Produce(ctx, &samsav1.ProduceRequest{Topic: topic, Acks: samsav1.Acks_ACKS_ALL, Records: records}, grpc.Trailer(&trailer))
	cancel()
	if err != nil {
		return describe("produce", err, trailer)
	}
	results := produced.Results
	sort.Slice(results, func(a, b int) bool { return results[a].Partition < results[b].Partition })
	total := int32(0)
	for _, r := range results {
		fmt.Printf("  partition %d: %d records from offset %d\n", r.Partition, r.RecordCount, r.BaseOffset)
		total += r.RecordCount
	}
	fmt.Printf("produced %d records\n", total)

	// 4. Stream each partition back with Consume, up to its end (the high watermark now).
	consumed := 0
	for p := int32(0); p < partitions; p++ {
		n, err := consumePartition(broker, topic, p)
		if err != nil {
			return err
		}
		consumed += n
	}
	fmt.Printf("consumed %d records\n", consumed)

	// 5. Errors: a gRPC status plus the reason trailer, from a unary call and from a stream.
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	_, err = broker.Produce(ctx, &samsav1.ProduceRequest{Topic: topic + "-missing", Records: records[:1]}, grpc.Trailer(&trailer))
	cancel()
	report("produce to a missing topic", err, trailer)

	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stream, err := broker.Consume(ctx, &samsav1.ConsumeRequest{Topic: topic, Partition: partitions})
	if err == nil {
		_, err = stream.Recv() // a stream's error arrives with its first Recv
		trailer = stream.Trailer()
	}
	report(fmt.Sprintf("consume partition %d of %d", partitions, partitions), err, trailer)
	return nil
}

// consumePartition streams one partition from its earliest offset up to the high watermark as it
// is now, prints each record and returns how many it read. A Consume stream follows the log (like
// `tail -f`), so it is cancelled once it has reached that end.
func consumePartition(broker samsav1.BrokerServiceClient, topic string, partition int32) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel() // ends the stream
	var trailer metadata.MD
	end, err := broker.ListOffsets(ctx, &samsav1.ListOffsetsRequest{
		Topic:     topic,
		Partition: partition,
		Spec:      &samsav1.OffsetSpec{Spec: &samsav1.OffsetSpec_Position{Position: samsav1.OffsetPosition_OFFSET_POSITION_LATEST}},
	}, grpc.Trailer(&trailer))
	if err != nil {
		return 0, describe("list offsets", err, trailer)
	}
	if end.Offset == 0 {
		return 0, nil
	}
	stream, err := broker.Consume(ctx, &samsav1.ConsumeRequest{
		Topic:     topic,
		Partition: partition,
		Start:     &samsav1.OffsetSpec{Spec: &samsav1.OffsetSpec_Position{Position: samsav1.OffsetPosition_OFFSET_POSITION_EARLIEST}},
		Format:    samsav1.RecordFormat_RECORD_FORMAT_STRUCTURED,
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for {
		chunk, err := stream.Recv()
		if err == io.EOF {
			return n, fmt.Errorf("partition %d: the stream ended before offset %d", partition, end.Offset)
		}
		if err != nil {
			return n, describe(fmt.Sprintf("consume partition %d", partition), err, stream.Trailer())
		}
		for _, rec := range chunk.Records {
			headers := make([]string, 0, len(rec.Headers))
			for _, h := range rec.Headers {
				headers = append(headers, fmt.Sprintf("%s=%s", h.Key, h.Value))
			}
			fmt.Printf("  %d/%d key=%s value=%s headers=[%s]\n", partition, rec.Offset, rec.Key, rec.Value, strings.Join(headers, " "))
			n++
		}
		if chunk.NextOffset >= end.Offset {
			return n, nil
		}
	}
}

// report prints the outcome of a call that is expected to fail, with the reason from its trailer.
func report(what string, err error, trailer metadata.MD) {
	if err == nil {
		fmt.Printf("unexpected: %s succeeded\n", what)
		return
	}
	fmt.Printf("error as expected (%s): status=%s reason=%s retriable=%s\n", what, codeName(err), first(trailer, reasonTrailer), first(trailer, retriableTrailer))
}

// describe wraps an unexpected failure with its status and reason.
func describe(what string, err error, trailer metadata.MD) error {
	return fmt.Errorf("%s: status=%s reason=%s: %s", what, codeName(err), first(trailer, reasonTrailer), status.Convert(err).Message())
}

func first(md metadata.MD, key string) string {
	if values := md.Get(key); len(values) > 0 {
		return values[0]
	}
	return "UNSPECIFIED"
}

// codeName is the canonical name of an error's gRPC status code, as the other languages print it
// (NOT_FOUND rather than Go's NotFound).
func codeName(err error) string {
	var b strings.Builder
	previous := rune(0)
	for _, r := range status.Code(err).String() {
		if unicode.IsUpper(r) && unicode.IsLower(previous) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
		previous = r
	}
	return b.String()
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
