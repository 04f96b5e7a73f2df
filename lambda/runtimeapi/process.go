package runtimeapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// Process runs a function's command against a Server: the runtime process of the execution
// environment. It restarts the command whenever it exits, after a crash, a timeout or an init
// error, as Lambda starts a new environment for the next invocation.
type Process struct {
	srv     *Server
	command []string
	cfg     processConfig
}

// NewProcess returns a Process that runs command (a program and its arguments) against srv.
// Nothing starts until Run.
func NewProcess(srv *Server, command []string, opts ...ProcessOption) *Process {
	cfg := processConfig{memoryMB: 128, stopTimeout: 2 * time.Second, maxBackoff: 5 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	return &Process{srv: srv, command: command, cfg: cfg}
}

// Run starts the command and keeps it running until ctx is done, then stops it (SIGTERM, and
// SIGKILL after the stop timeout) and returns nil. A command that cannot be started at all (not
// found, not executable) is an error. A command that keeps ending before it serves an invocation
// (an init failure) is started again after a growing pause, up to 5 seconds; one that served an
// invocation, or ran for a second, is started again at once.
func (p *Process) Run(ctx context.Context) error {
	if len(p.command) == 0 {
		return errors.New("runtimeapi: no command to run")
	}
	pause := time.Duration(0)
	for {
		started := time.Now()
		served, err := p.runOnce(ctx)
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
		switch {
		case served || time.Since(started) > time.Second:
			pause = 0
		case pause == 0:
			pause = 100 * time.Millisecond
		default:
			pause = min(2*pause, p.cfg.maxBackoff)
		}
		if pause > 0 {
			select {
			case <-time.After(pause):
			case <-ctx.Done():
				return nil
			}
		}
	}
}

// runOnce runs the command until it exits, the server asks for it to be killed, or ctx is done;
// served reports whether it took an invocation.
func (p *Process) runOnce(ctx context.Context) (served bool, err error) {
	cmd := exec.Command(p.command[0], p.command[1:]...)
	cmd.Dir = p.cfg.dir
	cmd.Env = p.env()
	setProcessGroup(cmd)
	// A child the function started may hold its output open after it exits; do not wait on it.
	cmd.WaitDelay = time.Second
	var outs []*lineLogger
	if p.cfg.stdout != nil {
		cmd.Stdout, cmd.Stderr = p.cfg.stdout, p.cfg.stderr
	} else {
		o := &lineLogger{log: p.cfg.logger, stream: "stdout"}
		e := &lineLogger{log: p.cfg.logger, stream: "stderr"}
		cmd.Stdout, cmd.Stderr = o, e
		outs = append(outs, o, e)
	}
	kill := make(chan struct{}, 1)
	before := p.srv.attach(func() {
		select {
		case kill <- struct{}{}:
		default:
		}
	})
	if err := cmd.Start(); err != nil {
		p.srv.exited(err)
		return false, fmt.Errorf("runtimeapi: starting %s: %w", p.command[0], err)
	}
	p.cfg.logger.Debug("runtimeapi: function started", "pid", cmd.Process.Pid, "command", p.command[0])
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()

	var exitErr error
	killed := false
	select {
	case exitErr = <-waited:
	case <-kill:
		killed = true
		signalGroup(cmd, true)
		exitErr = <-waited
	case <-ctx.Done():
		signalGroup(cmd, false)
		select {
		case exitErr = <-waited:
		case <-time.After(p.cfg.stopTimeout):
			signalGroup(cmd, true)
			exitErr = <-waited
		}
	}
	for _, o := range outs {
		o.flush()
	}
	p.srv.exited(exitErr)
	if ctx.Err() == nil {
		p.cfg.logger.Debug("runtimeapi: function exited", "pid", cmd.Process.Pid, "err", exitErr, "killed", killed)
	}
	return p.srv.takenSince(before), nil
}

// env is the inherited environment, then Lambda's variables, then WithEnv's.
func (p *Process) env() []string {
	c := p.srv.cfg
	dir := p.cfg.dir
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	handler := p.cfg.handler
	if handler == "" {
		handler = filepath.Base(p.command[0])
	}
	now := time.Now().UTC()
	env := append(os.Environ(),
		"AWS_LAMBDA_RUNTIME_API="+p.srv.Addr(),
		"AWS_LAMBDA_FUNCTION_NAME="+c.functionName,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+strconv.Itoa(p.cfg.memoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION="+c.version,
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/"+c.functionName,
		"AWS_LAMBDA_LOG_STREAM_NAME="+now.Format("2006/01/02")+"/["+c.version+"]"+newRequestID()[:8],
		"AWS_REGION="+c.region,
		"AWS_DEFAULT_REGION="+c.region,
		"_HANDLER="+handler,
		"LAMBDA_TASK_ROOT="+dir,
		"LAMBDA_RUNTIME_DIR="+dir,
		"TZ=:UTC",
	)
	return append(env, p.cfg.env...)
}
