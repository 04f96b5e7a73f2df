package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/lambda/esm"
	"github.com/pelicanhq/pelican/lambda/runtimeapi"
	"github.com/pelicanhq/pelican/lambda/schedule"
)

func lambdaCommand() *command {
	return &command{
		name:    "lambda",
		summary: "run a Lambda function locally from a Kinesis stream or on a schedule",
		run:     runLambda,
	}
}

const lambdaUsage = `lambda run --mapping FILE [--endpoint URL] [flags] -- COMMAND [ARGS...]
       pelican lambda run --stream NAME [--endpoint URL] [flags] -- COMMAND [ARGS...]
       pelican lambda run --schedule 'rate(5 minutes)' [flags] -- COMMAND [ARGS...]

Runs COMMAND as a Lambda function: it is started with AWS_LAMBDA_RUNTIME_API pointing at a Lambda
Runtime API inside pelican (so a Go function built with aws-lambda-go's lambda.Start, or any
runtime interface client, runs unchanged) and restarted after a crash or a timeout. With a
mapping (the JSON of 'aws lambda create-event-source-mapping --cli-input-json') or a stream, it is
invoked with Kinesis batches as Lambda's event source mapping would; with a schedule, with
EventBridge's scheduled event. Runs until Ctrl-C or SIGTERM.`

func runLambda(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help" {
		fmt.Fprintf(stderr, "Usage: pelican %s\n\nRun 'pelican lambda run --help' for the flags.\n", lambdaUsage)
		return nil
	}
	if args[0] != "run" {
		return usageError{fmt.Errorf("lambda: unknown subcommand %q; the one subcommand is run", args[0])}
	}
	return runLambdaRun(ctx, args[1:], stderr)
}

// lambdaFlags are the flags of `pelican lambda run`.
type lambdaFlags struct {
	target         kinesisTarget
	mappingFile    string
	scheduleExpr   string
	checkpointFile string
	onFailure      string
	timeout        time.Duration
	functionName   string
	memory         int
	concurrency    int
	env            stringList
	verbose        bool

	// Overrides of single mapping fields, applied when given.
	startingPosition string
	batchSize        int
	batchWindow      int
	parallelization  int
	retryAttempts    int
	recordAge        int
	bisect           bool
	reportFailures   bool
	tumblingWindow   int
}

func (f *lambdaFlags) bind(fs *flagSet) {
	fs.StringVar(&f.target.endpoint, "endpoint", os.Getenv("PELICAN_ENDPOINT"), "Kinesis endpoint URL, such as an emulator's http://127.0.0.1:4567; empty for Amazon Kinesis (env PELICAN_ENDPOINT)")
	fs.StringVar(&f.target.region, "region", "", "AWS region of the Kinesis client (default: the mapping's; us-east-1 with --endpoint)")
	fs.StringVar(&f.mappingFile, "mapping", "", "the event source mapping: a JSON file as create-event-source-mapping --cli-input-json takes")
	fs.StringVar(&f.target.stream, "stream", "", "the stream to read, instead of a mapping file (a mapping with Lambda's defaults and LATEST)")
	fs.StringVar(&f.scheduleExpr, "schedule", "", "fire the function on this EventBridge schedule instead: rate(5 minutes), cron(0 12 * * ? *)")
	fs.StringVar(&f.checkpointFile, "checkpoint-file", "", "keep each shard's checkpoint in this JSON file, so a restarted run carries on")
	fs.StringVar(&f.onFailure, "on-failure-file", "", "append the records of discarded batches to this JSON-lines file; or, when it is a directory, to a file per destination named in the mapping")
	fs.DurationVar(&f.timeout, "timeout", 3*time.Second, "the function's timeout: the invocation fails and the process is restarted after it")
	fs.StringVar(&f.functionName, "function-name", "", "the function's name (default: the mapping's FunctionName, else the command's base name)")
	fs.IntVar(&f.memory, "memory", 128, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE, in MB (not enforced)")
	fs.IntVar(&f.concurrency, "concurrency", 1, "how many execution environments (processes of COMMAND) serve invocations at once; Lambda scales up to one per shard and parallelization lane")
	fs.Var(&f.env, "env", "set KEY=VALUE in the function's environment (repeatable)")
	fs.BoolVar(&f.verbose, "verbose", false, "log the Runtime API's requests and the process's restarts too")
	fs.StringVar(&f.startingPosition, "starting-position", "", "override StartingPosition: LATEST, TRIM_HORIZON or AT_TIMESTAMP")
	fs.IntVar(&f.batchSize, "batch-size", 0, "override BatchSize (1-10000)")
	fs.IntVar(&f.batchWindow, "batching-window", 0, "override MaximumBatchingWindowInSeconds (0-300)")
	fs.IntVar(&f.parallelization, "parallelization-factor", 0, "override ParallelizationFactor (1-10)")
	fs.IntVar(&f.retryAttempts, "maximum-retry-attempts", 0, "override MaximumRetryAttempts (-1, or 0-10000)")
	fs.IntVar(&f.recordAge, "maximum-record-age", 0, "override MaximumRecordAgeInSeconds (-1, or 60-604800)")
	fs.BoolVar(&f.bisect, "bisect-batch-on-function-error", false, "override BisectBatchOnFunctionError")
	fs.BoolVar(&f.reportFailures, "report-batch-item-failures", false, "override FunctionResponseTypes: [ReportBatchItemFailures] when true, none when false")
	fs.IntVar(&f.tumblingWindow, "tumbling-window", 0, "override TumblingWindowInSeconds (0-900)")
}

// applyOverrides sets the mapping fields whose flags were given.
func (f *lambdaFlags) applyOverrides(fs *flag.FlagSet, m *esm.Mapping) {
	i32 := func(v int) *int32 { n := int32(v); return &n }
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "starting-position":
			m.StartingPosition = f.startingPosition
		case "batch-size":
			m.BatchSize = i32(f.batchSize)
		case "batching-window":
			m.MaximumBatchingWindowInSeconds = i32(f.batchWindow)
		case "parallelization-factor":
			m.ParallelizationFactor = i32(f.parallelization)
		case "maximum-retry-attempts":
			m.MaximumRetryAttempts = i32(f.retryAttempts)
		case "maximum-record-age":
			m.MaximumRecordAgeInSeconds = i32(f.recordAge)
		case "bisect-batch-on-function-error":
			m.BisectBatchOnFunctionError = aws.Bool(f.bisect)
		case "report-batch-item-failures":
			m.FunctionResponseTypes = nil
			if f.reportFailures {
				m.FunctionResponseTypes = []string{esm.ReportBatchItemFailures}
			}
		case "tumbling-window":
			m.TumblingWindowInSeconds = i32(f.tumblingWindow)
		}
	})
}

func runLambdaRun(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlagSet("lambda run", lambdaUsage, stderr)
	var f lambdaFlags
	f.bind(fs)
	if help, err := fs.parse(args); help || err != nil {
		return err
	}
	command := fs.Args()
	sources := 0
	for _, s := range []string{f.mappingFile, f.target.stream, f.scheduleExpr} {
		if s != "" {
			sources++
		}
	}
	switch {
	case len(command) == 0:
		return usageError{errors.New("lambda run needs the function's command after --, such as -- ./bootstrap")}
	case sources != 1:
		return usageError{errors.New("lambda run needs exactly one of --mapping, --stream and --schedule")}
	case f.timeout <= 0:
		return usageError{fmt.Errorf("--timeout must be positive, got %s", f.timeout)}
	case f.memory <= 0:
		return usageError{fmt.Errorf("--memory must be positive, got %d", f.memory)}
	case f.concurrency < 1:
		return usageError{fmt.Errorf("--concurrency must be at least 1, got %d", f.concurrency)}
	}
	for _, kv := range f.env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return usageError{fmt.Errorf("--env %q: want KEY=VALUE", kv)}
		}
	}
	level := slog.LevelInfo
	if f.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	if f.scheduleExpr != "" {
		if _, err := schedule.Parse(f.scheduleExpr); err != nil {
			return usageError{fmt.Errorf("--schedule: %w", err)}
		}
		return f.runScheduled(ctx, command, stderr, log)
	}
	return f.runStream(ctx, fs.FlagSet, command, stderr, log)
}

// function starts the Runtime API servers and the command's processes, one per environment;
// stop ends the processes and then the servers. The processes' output goes to stderr as it is
// written. failed yields the error when a process cannot be started (again).
func (f *lambdaFlags) function(name, region, account string, command []string, stderr io.Writer, log *slog.Logger) (pool *runtimeapi.Pool, failed <-chan error, stop func(), err error) {
	if name == "" {
		name = filepath.Base(command[0])
	}
	pool, err = runtimeapi.NewPool(f.concurrency, command,
		[]runtimeapi.Option{runtimeapi.WithFunctionName(name), runtimeapi.WithRegion(region),
			runtimeapi.WithAccountID(account), runtimeapi.WithTimeout(f.timeout), runtimeapi.WithLogger(log)},
		[]runtimeapi.ProcessOption{runtimeapi.WithOutput(stderr), runtimeapi.WithProcessLogger(log),
			runtimeapi.WithMemorySize(f.memory), runtimeapi.WithEnv(f.env...)})
	if err != nil {
		return nil, nil, nil, err
	}
	procCtx, cancel := context.WithCancel(context.Background())
	fail := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		if err := pool.Run(procCtx); err != nil {
			fail <- err
		}
		close(exited)
	}()
	stop = func() {
		cancel()
		<-exited
		_ = pool.Close()
	}
	var addrs []string
	for _, s := range pool.Servers() {
		addrs = append(addrs, s.Addr())
	}
	log.Info("lambda: function started", "function", name, "command", strings.Join(command, " "),
		"environments", f.concurrency, "runtime_api", strings.Join(addrs, ","), "timeout", f.timeout)
	return pool, fail, stop, nil
}

func (f *lambdaFlags) runStream(ctx context.Context, fs *flag.FlagSet, command []string, stderr io.Writer, log *slog.Logger) error {
	var m esm.Mapping
	if f.mappingFile != "" {
		data, err := os.ReadFile(f.mappingFile)
		if err != nil {
			return usageError{fmt.Errorf("--mapping: %w", err)}
		}
		if m, err = esm.ParseMapping(data); err != nil {
			return usageError{fmt.Errorf("--mapping %s: %w", f.mappingFile, err)}
		}
	}
	src, _ := esm.ParseSourceARN(m.EventSourceArn)
	if f.target.region == "" {
		f.target.region = src.Region
	}
	client, err := f.target.client(ctx)
	if err != nil {
		return err
	}
	if f.target.stream != "" {
		out, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(f.target.stream)})
		if err != nil {
			return fmt.Errorf("--stream %s: %w", f.target.stream, err)
		}
		m = esm.Mapping{EventSourceArn: aws.ToString(out.StreamDescriptionSummary.StreamARN), StartingPosition: esm.Latest}
		src, _ = esm.ParseSourceARN(m.EventSourceArn)
	}
	if f.functionName != "" {
		m.FunctionName = f.functionName
	}
	if m.FunctionName == "" {
		m.FunctionName = filepath.Base(command[0])
	}
	f.applyOverrides(fs, &m)
	m = m.WithDefaults()
	if err := m.Validate(); err != nil {
		return usageError{err}
	}

	name := m.FunctionName
	if i := strings.LastIndex(name, ":function:"); i >= 0 {
		name = strings.SplitN(name[i+len(":function:"):], ":", 2)[0]
	}
	fn, failed, stop, err := f.function(name, src.Region, src.Account, command, stderr, log)
	if err != nil {
		return err
	}
	defer stop()
	opts := []esm.Option{esm.WithLogger(log)}
	if f.checkpointFile != "" {
		opts = append(opts, esm.WithCheckpointFile(f.checkpointFile))
	}
	if f.onFailure != "" {
		if st, err := os.Stat(f.onFailure); err == nil && st.IsDir() {
			opts = append(opts, esm.WithOnFailureDir(f.onFailure))
		} else {
			opts = append(opts, esm.WithOnFailureFile(f.onFailure))
		}
	}
	engine, err := esm.New(client, m, fn, opts...)
	if err != nil {
		return err
	}
	log.Info("lambda: mapping started", "source", m.EventSourceArn, "starting_position", m.StartingPosition,
		"batch_size", *m.BatchSize, "report_batch_item_failures", len(m.FunctionResponseTypes) > 0)

	runCtx, finish := untilFailed(ctx, failed)
	err = engine.Run(runCtx)
	if procErr := finish(); procErr != nil {
		return procErr
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	log.Info("lambda: stopped", "invocations", engine.Stats().Invocations, "function_errors", engine.Stats().FunctionErrors)
	return nil
}

func (f *lambdaFlags) runScheduled(ctx context.Context, command []string, stderr io.Writer, log *slog.Logger) error {
	region := f.target.region
	if region == "" {
		region = "us-east-1"
	}
	const account = "000000000000"
	fn, failed, stop, err := f.function(f.functionName, region, account, command, stderr, log)
	if err != nil {
		return err
	}
	defer stop()
	runCtx, finish := untilFailed(ctx, failed)
	name := f.functionName
	if name == "" {
		name = filepath.Base(command[0])
	}
	rule := "pelican-" + name
	log.Info("lambda: schedule started", "schedule", f.scheduleExpr, "rule", rule)
	err = schedule.Run(runCtx, f.scheduleExpr, schedule.RealClock{}, func(ctx context.Context, ev events.CloudWatchEvent) {
		payload, err := json.Marshal(ev)
		if err != nil {
			log.Error("lambda: scheduled event", "err", err)
			return
		}
		start := time.Now()
		_, err = fn.Invoke(ctx, payload)
		outcome := "success"
		if err != nil {
			outcome = err.Error()
		}
		log.Info("lambda: invoke", "schedule", f.scheduleExpr, "time", ev.Time.Format(time.RFC3339), "id", ev.ID,
			"outcome", outcome, "duration", time.Since(start).Round(time.Millisecond))
	}, schedule.WithRule(rule), schedule.WithRegion(region), schedule.WithAccountID(account))
	if procErr := finish(); procErr != nil {
		return procErr
	}
	if err != nil {
		return err
	}
	log.Info("lambda: stopped")
	return nil
}

// untilFailed returns a context that ends with parent or when the function's processes cannot be
// started, and finish, which ends the context and returns that failure (nil when there was none).
func untilFailed(parent context.Context, failed <-chan error) (ctx context.Context, finish func() error) {
	ctx, cancel := context.WithCancel(parent)
	result := make(chan error, 1)
	go func() {
		select {
		case err := <-failed:
			cancel()
			result <- err
		case <-ctx.Done():
			result <- nil
		}
	}()
	return ctx, func() error {
		cancel()
		return <-result
	}
}
