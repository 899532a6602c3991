// Command samsa-go-client is a plain generated gRPC client talking to Samsa: no SDK, just the stubs
// that protoc-gen-go and protoc-gen-go-grpc make from proto/.
//
// It asks a broker for cluster metadata (which also names the active controller), creates a topic
// on the controller, produces structured records (the broker builds the record batches and picks
// partitions with murmur2 of the key, as Kafka does), streams every partition back with the
// Consume server stream, and shows how a failed call carries its machine-readable reason in the
// `samsa-error-reason` trailer, for unary calls and for streams.
//
// With the `group` command it is instead a consumer-group member: it finds the group's
// coordinator, joins on the GroupConsume stream, and reports each chunk of records processed so
// the coordinator commits it (see runMember).
//
//	bash examples/go/build.sh
//	examples/go/gen/bin/samsa-go-client --bootstrap 127.0.0.1:9092 --topic go-demo
//	examples/go/gen/bin/samsa-go-client group --bootstrap 127.0.0.1:9092 --group go-group --topic go-demo
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"
	"unicode"

	samsav1 "github.com/samsa-log/samsa/gen/go/samsa/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Trailers every Samsa error carries (see docs/api.md, "Error model").
const (
	reasonTrailer    = "samsa-error-reason"
	retriableTrailer = "samsa-retriable"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "group" {
		groupMain(os.Args[2:])
		return
	}
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
	brokerConn, err := dial(bootstrap)
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
	controllerConn, err := dial(controllerAddress)
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
	// CreateTopic returns once the controller has stored the topic; a broker learns of it a moment
	// later (as in Kafka), and until then answers UNKNOWN_TOPIC_OR_PARTITION: retry that briefly.
	var produced *samsav1.ProduceResponse
	for attempt := 1; ; attempt++ {
		ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
		produced, err = broker.Produce(ctx, &samsav1.ProduceRequest{Topic: topic, Acks: samsav1.Acks_ACKS_ALL, Records: records}, grpc.Trailer(&trailer))
		cancel()
		if err == nil || attempt == 20 || first(trailer, reasonTrailer) != "UNKNOWN_TOPIC_OR_PARTITION" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
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

// groupMain parses the flags of `samsa-go-client group` and runs the member.
func groupMain(args []string) {
	flags := flag.NewFlagSet("group", flag.ExitOnError)
	bootstrap := flags.String("bootstrap", envOr("SAMSA_BOOTSTRAP", "127.0.0.1:9092"), "any broker, host:port")
	group := flags.String("group", "go-group", "consumer group to join")
	topic := flags.String("topic", "go-demo", "topic to consume")
	sessionTimeout := flags.Int("session-timeout-ms", 10000, "session timeout of the member (6000..300000)")
	maxMessages := flags.Int("max-messages", 0, "leave after this many records (0: run until Ctrl-C)")
	flags.Parse(args)
	join := &samsav1.JoinGroup{GroupId: *group, Topics: []string{*topic}, SessionTimeoutMs: int32(*sessionTimeout)}
	if err := runMember(*bootstrap, join, *maxMessages); err != nil {
		fmt.Fprintln(os.Stderr, "samsa-go-client:", err)
		os.Exit(1)
	}
}

// runMember consumes as a member of join's group until maxMessages records have arrived (0: until
// Ctrl-C), then leaves. When the stream fails with a retriable reason (NOT_COORDINATOR: the group
// moved; NOT_READY: its coordinator is still loading it) or UNKNOWN_MEMBER_ID (the member was
// removed), the contract is to find the coordinator again and rejoin; the group then resumes from
// its committed offsets, so records not yet committed arrive again (at-least-once).
func runMember(bootstrap string, join *samsav1.JoinGroup, maxMessages int) error {
	// Ctrl-C cancels the stream, which removes the member; the coordinator still commits what was reported.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	received, failures := 0, 0
	for {
		before := received
		trailer, err := memberSession(ctx, bootstrap, join, maxMessages, &received)
		if err == nil || ctx.Err() != nil {
			fmt.Printf("consumed %d records as a member of %s; left the group\n", received, join.GroupId)
			return nil
		}
		if received > before {
			failures = 0 // it got somewhere: give up only after failures in a row
		}
		failures++
		rejoin := first(trailer, retriableTrailer) == "true" || first(trailer, reasonTrailer) == "UNKNOWN_MEMBER_ID"
		if !rejoin || failures == 30 {
			return describe("group consume", err, trailer)
		}
		fmt.Printf("rejoining after status=%s reason=%s\n", codeName(err), first(trailer, reasonTrailer))
		time.Sleep(time.Second)
	}
}

// memberSession is one membership: it asks a broker for the group's coordinator, joins on its
// GroupConsume stream, prints assignments and records, and reports each chunk processed. It returns
// nil once it has left and the server has ended the stream, or the failed call's error and trailer.
func memberSession(ctx context.Context, bootstrap string, join *samsav1.JoinGroup, maxMessages int, received *int) (metadata.MD, error) {
	brokerConn, err := dial(bootstrap)
	if err != nil {
		return nil, err
	}
	defer brokerConn.Close()
	var trailer metadata.MD
	findCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	found, err := samsav1.NewCoordinatorServiceClient(brokerConn).FindCoordinator(findCtx,
		&samsav1.FindCoordinatorRequest{GroupId: join.GroupId}, grpc.WaitForReady(true), grpc.Trailer(&trailer))
	cancel()
	if err != nil {
		return trailer, err
	}
	address := fmt.Sprintf("%s:%d", found.Host, found.Port)
	fmt.Printf("group %s: coordinator %d at %s\n", join.GroupId, found.CoordinatorId, address)

	conn, err := dial(address)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stream, err := samsav1.NewCoordinatorServiceClient(conn).GroupConsume(ctx)
	if err != nil {
		return nil, err
	}
	// A failed Send ends the stream and Recv returns why, so Send's own error adds nothing.
	send := func(req *samsav1.GroupConsumeRequest) { _ = stream.Send(req) }
	send(&samsav1.GroupConsumeRequest{Kind: &samsav1.GroupConsumeRequest_Join{Join: join}})
	left := false
	for {
		res, err := stream.Recv()
		if err == io.EOF && left {
			return nil, nil // the server ends the stream only once every reported offset is committed
		}
		if err != nil {
			return stream.Trailer(), err
		}
		switch kind := res.Kind.(type) {
		case *samsav1.GroupConsumeResponse_Assignment:
			a := kind.Assignment
			parts := make([]string, 0, len(a.Partitions))
			for _, tp := range a.Partitions {
				parts = append(parts, fmt.Sprintf("%s%v", tp.Topic, tp.Partitions))
			}
			if len(parts) == 0 {
				parts = append(parts, "(none)")
			}
			fmt.Printf("assignment: member %s, generation %d, partitions %s\n", a.MemberId, a.Generation, strings.Join(parts, " "))
		case *samsav1.GroupConsumeResponse_Records:
			chunk := kind.Records
			if left || len(chunk.Records) == 0 {
				continue // sent before the server saw our leave: unreported, so the group gets them again
			}
			for _, rec := range chunk.Records {
				fmt.Printf("  %s/%d@%d %s\n", chunk.Topic, chunk.Partition, rec.Offset, rec.Value)
				*received++
			}
			// Report a chunk only once its work is done (here: printed): that is what makes delivery
			// at-least-once. The offset is the next one to read; the coordinator commits it.
			last := chunk.Records[len(chunk.Records)-1].Offset
			send(&samsav1.GroupConsumeRequest{Kind: &samsav1.GroupConsumeRequest_Processed{
				Processed: &samsav1.ProcessedOffset{Topic: chunk.Topic, Partition: chunk.Partition, Offset: last + 1},
			}})
			if maxMessages > 0 && *received >= maxMessages {
				// Leave, then read on until the server ends the stream, so the last commit is durable.
				send(&samsav1.GroupConsumeRequest{Kind: &samsav1.GroupConsumeRequest_Leave{Leave: true}})
				_ = stream.CloseSend()
				left = true
			}
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

// dial connects with standard gRPC TLS credentials (credentials.NewTLS): Samsa serves TLS on every
// port and asks for a client certificate signed by the cluster's CA. Settings, the same as the
// CLI's: SAMSA_TLS_CA, SAMSA_TLS_CERT, SAMSA_TLS_KEY, else data/tls/ as `npm start` made it (or
// $SAMSA_DATA_DIR/tls/); SAMSA_INSECURE=1 for a cluster started with --insecure.
func dial(address string) (*grpc.ClientConn, error) {
	if v := strings.ToLower(os.Getenv("SAMSA_INSECURE")); v == "1" || v == "true" || v == "yes" {
		// WithInsecure, not credentials/insecure: the grpc-go Debian ships (1.33) predates that package.
		return grpc.Dial(address, grpc.WithInsecure())
	}
	dir := envOr("SAMSA_DATA_DIR", "data") + "/tls/"
	caFile := envOr("SAMSA_TLS_CA", dir+"ca.crt")
	certFile, keyFile := dir+"samsa-cli.crt", dir+"samsa-cli.key"
	if os.Getenv("SAMSA_TLS_CA") != "" {
		certFile, keyFile = os.Getenv("SAMSA_TLS_CERT"), os.Getenv("SAMSA_TLS_KEY")
	}
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("TLS: %w (set SAMSA_TLS_CA, or SAMSA_INSECURE=1 for an --insecure cluster)", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("TLS: no certificate in %s", caFile)
	}
	config := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	// A client without a certificate authenticates with a bearer token (SAMSA_TOKEN, e.g. from
	// `samsa tokens issue`), sent by gRPC's standard per-RPC credentials over TLS that holds only
	// the CA. A token the cluster refuses fails the call UNAUTHENTICATED; no certificate goes with it.
	if token := os.Getenv("SAMSA_TOKEN"); token != "" {
		return grpc.Dial(address, grpc.WithTransportCredentials(credentials.NewTLS(config)), grpc.WithPerRPCCredentials(bearerToken(token)))
	}
	if certFile != "" {
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("TLS client certificate: %w", err)
		}
		config.Certificates = []tls.Certificate{pair}
	}
	return grpc.Dial(address, grpc.WithTransportCredentials(credentials.NewTLS(config)))
}

// bearerToken is a credentials.PerRPCCredentials for a fixed bearer token: what
// credentials/oauth's TokenSource does, without the golang.org/x/oauth2 dependency.
type bearerToken string

func (t bearerToken) GetRequestMetadata(_ context.Context, _ ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(t)}, nil
}

// RequireTransportSecurity: grpc-go never sends the token over a plaintext connection.
func (bearerToken) RequireTransportSecurity() bool { return true }

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
