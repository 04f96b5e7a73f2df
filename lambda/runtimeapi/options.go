package runtimeapi

import (
	"io"
	"log/slog"
	"time"
)

// Option configures a Server.
type Option func(*config)

type config struct {
	addr         string
	functionName string
	region       string
	account      string
	version      string
	timeout      time.Duration
	logger       *slog.Logger
}

func defaultConfig() config {
	return config{
		addr:         "127.0.0.1:0",
		functionName: "function",
		region:       "us-east-1",
		account:      "000000000000",
		version:      "$LATEST",
		timeout:      3 * time.Second,
	}
}

// WithAddr makes the server listen on addr (host:port) instead of a free loopback port.
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithFunctionName names the function (AWS_LAMBDA_FUNCTION_NAME and the invoked function ARN);
// the default is "function".
func WithFunctionName(name string) Option { return func(c *config) { c.functionName = name } }

// WithRegion sets the region of the function's ARN and of AWS_REGION; the default is us-east-1.
func WithRegion(region string) Option { return func(c *config) { c.region = region } }

// WithAccountID sets the account of the function's ARN; the default is 000000000000.
func WithAccountID(account string) Option { return func(c *config) { c.account = account } }

// WithTimeout sets the function's timeout: the deadline each invocation is given, after which it
// fails with Sandbox.Timedout and the process is restarted. Lambda's default is 3 seconds.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithLogger makes the server log each invocation (at debug level) and each failure through l.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// ProcessOption configures a Process.
type ProcessOption func(*processConfig)

type processConfig struct {
	env         []string
	dir         string
	handler     string
	memoryMB    int
	stdout      io.Writer
	stderr      io.Writer
	logger      *slog.Logger
	stopTimeout time.Duration
	maxBackoff  time.Duration
}

// WithEnv adds environment variables (KEY=value) to the function's environment, after the
// inherited ones and Lambda's, so they override both.
func WithEnv(kv ...string) ProcessOption {
	return func(c *processConfig) { c.env = append(c.env, kv...) }
}

// WithDir runs the command in dir, which is also LAMBDA_TASK_ROOT; the default is the current
// directory.
func WithDir(dir string) ProcessOption { return func(c *processConfig) { c.dir = dir } }

// WithHandler sets _HANDLER, which runtimes other than Go's read to find the function; the
// default is the command's base name.
func WithHandler(h string) ProcessOption { return func(c *processConfig) { c.handler = h } }

// WithMemorySize sets AWS_LAMBDA_FUNCTION_MEMORY_SIZE in megabytes; the default is Lambda's 128.
// Nothing enforces it.
func WithMemorySize(mb int) ProcessOption { return func(c *processConfig) { c.memoryMB = mb } }

// WithOutput sends the function's standard output and error to w as they are written, instead
// of logging them line by line.
func WithOutput(w io.Writer) ProcessOption {
	return func(c *processConfig) { c.stdout, c.stderr = w, w }
}

// WithProcessLogger logs the process's starts, exits and output lines through l; the default is
// slog.Default().
func WithProcessLogger(l *slog.Logger) ProcessOption {
	return func(c *processConfig) { c.logger = l }
}

// WithStopTimeout sets how long a stopping process has between SIGTERM and SIGKILL; the default
// is 2 seconds.
func WithStopTimeout(d time.Duration) ProcessOption {
	return func(c *processConfig) { c.stopTimeout = d }
}
