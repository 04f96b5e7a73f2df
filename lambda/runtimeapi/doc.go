// Package runtimeapi runs a Lambda function's code the way the Lambda service does: an HTTP
// server speaking the Lambda Runtime API (base path /2018-06-01/runtime, the contract that
// aws-lambda-go's lambda.Start and every runtime interface client follow), and a Process that
// starts the function's command with AWS_LAMBDA_RUNTIME_API pointing at it, passes its output to a
// logger, and restarts it after a crash or a timeout.
//
//	srv, _ := runtimeapi.NewServer(runtimeapi.WithFunctionName("notifier"), runtimeapi.WithTimeout(3*time.Second))
//	defer srv.Close()
//	proc := runtimeapi.NewProcess(srv, []string{"./bootstrap"})
//	go proc.Run(ctx)
//	out, err := srv.Invoke(ctx, payload)
//
// A Server holds one execution environment: invocations go to the runtime one at a time, in the
// order Invoke is called, as Lambda sends one event at a time to an environment. A Pool holds
// several, each a Server with its own Process, and gives each invocation an idle one, as Lambda
// runs concurrent invocations in separate environments. A function
// error (POST .../error), a timeout (the function's timeout passes before a response; the process
// is killed and started again), a crash (the process exits during an invocation) and an
// initialisation failure (POST /init/error, or an exit before the first /next) all end Invoke
// with a *FunctionError carrying the error type Lambda reports: the function's own, or
// Sandbox.Timedout, Runtime.ExitError, Function.ResponseSizeTooLarge.
//
// Requests out of turn are answered as the Lambda runtime interface emulator answers them: 403
// InvalidStateTransition for a request the runtime's state does not allow (a response before any
// invocation, a second response, /next during an invocation, /init/error after initialisation),
// 400 InvalidRequestID for a response to an id that is not the current invocation, and 413
// RequestEntityTooLarge for a response over 6 MB (the invocation then fails with
// Function.ResponseSizeTooLarge).
//
// Of the Extensions API (base path /2020-01-01/extension) the server answers what an internal
// extension registered for no events needs, as aws-lambda-go's lambda.WithEnableSIGTERM registers:
// register during init, and an event/next that waits until the environment ends. Extensions that
// ask for events are refused.
//
// Invoke has the shape of the event source mapping's function, so a Server or a Pool can stand
// wherever an in-process handler does.
package runtimeapi
