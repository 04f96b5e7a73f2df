package emulator_test

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/pelicanhq/pelican/emulator"
)

// The conformance suite drives every operation of the pinned SDK client against a Kinesis
// endpoint: a call that succeeds, a check that reads the change back through the matching
// Describe, List or Get call, and bad inputs that must each get AWS's error type and a clear
// message. The suite speaks only through the client it is given, so it can aim at the emulator
// over JSON or CBOR, at a peer emulator, or at AWS itself.

// conformanceTarget gives each row a client aimed at a fresh endpoint (or a fresh corner of one).
type conformanceTarget func(t *testing.T) *kinesis.Client

// conformanceRow is one SDK operation.
type conformanceRow struct {
	op string
	// setup prepares what the call needs beyond the env's ACTIVE two-shard stream.
	setup func(t *testing.T, e *confEnv)
	// call performs the operation successfully; what it answers goes in e.out for check.
	call func(t *testing.T, e *confEnv) error
	// check reads the state back and fails the test when the operation had no effect.
	check func(t *testing.T, e *confEnv)
	// bad are requests the endpoint must refuse, run after the successful call.
	bad []confBad
}

// confBad is a request that must fail with code, its message containing msg.
type confBad struct {
	name string
	call func(e *confEnv) error
	code string
	msg  string
}

// confEnv is the state a row works in: a client and a provisioned stream of two shards.
type confEnv struct {
	ctx       context.Context
	kc        *kinesis.Client
	stream    string
	streamARN string
	account   string
	out       any               // what call answered
	v         map[string]string // values a row hands from setup to call, check and bad inputs
}

func TestConformance(t *testing.T) {
	runConformance(t, func(t *testing.T) *kinesis.Client {
		return newClient(t, emulator.RunT(t))
	})
}

// runConformance runs every row against target, each in its own subtest.
func runConformance(t *testing.T, target conformanceTarget) {
	for _, row := range conformanceRows() {
		t.Run(row.op, func(t *testing.T) {
			e := &confEnv{ctx: ctxT(t), kc: target(t), stream: "conformance", v: map[string]string{}}
			e.streamARN = e.createStream(t, e.stream, 2)
			e.account = strings.Split(e.streamARN, ":")[4]
			if row.setup != nil {
				row.setup(t, e)
			}
			if err := row.call(t, e); err != nil {
				t.Fatalf("%s: %v", row.op, err)
			}
			row.check(t, e)
			for _, b := range row.bad {
				if err := matchAPIError(b.call(e), b.code, b.msg); err != nil {
					t.Errorf("%s / %s: %v", row.op, b.name, err)
				}
			}
		})
	}
}

// TestConformanceCoversEveryOperation fails for any operation of the pinned SDK client that has
// no conformance row, for rows that name no SDK operation, and for rows without bad inputs when
// the operation takes any input.
func TestConformanceCoversEveryOperation(t *testing.T) {
	ops := sdkOperations()
	if len(ops) < 45 {
		t.Fatalf("found only %d operations on *kinesis.Client; the reflection is broken", len(ops))
	}
	rows := map[string]conformanceRow{}
	for _, r := range conformanceRows() {
		if _, dup := rows[r.op]; dup {
			t.Errorf("two rows for %s", r.op)
		}
		rows[r.op] = r
	}
	var missing []string
	for op, hasInput := range ops {
		r, ok := rows[op]
		switch {
		case !ok:
			missing = append(missing, op)
		case hasInput && len(r.bad) == 0:
			t.Errorf("row %s has no bad inputs", op)
		case r.call == nil || r.check == nil:
			t.Errorf("row %s lacks a call or a check", op)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("operations without a conformance row: %s", strings.Join(missing, ", "))
	}
	for op := range rows {
		if _, ok := ops[op]; !ok {
			t.Errorf("row %s names no operation of the SDK client", op)
		}
	}
}

// sdkOperations lists the operations of *kinesis.Client: the methods shaped
// (context.Context, *kinesis.XInput, ...func(*kinesis.Options)) (*kinesis.XOutput, error). The
// value says whether the input has any member a caller can get wrong.
func sdkOperations() map[string]bool {
	ctxType := reflect.TypeFor[context.Context]()
	errType := reflect.TypeFor[error]()
	ct := reflect.TypeFor[*kinesis.Client]()
	ops := map[string]bool{}
	for i := 0; i < ct.NumMethod(); i++ {
		m := ct.Method(i).Type // receiver first
		if m.NumIn() != 4 || m.NumOut() != 2 || !m.IsVariadic() || m.In(1) != ctxType || m.Out(1) != errType {
			continue
		}
		in, out := m.In(2), m.Out(0)
		name := ct.Method(i).Name
		if in.Kind() != reflect.Pointer || in.Elem().Name() != name+"Input" || out.Kind() != reflect.Pointer || out.Elem().Name() != name+"Output" {
			continue
		}
		hasInput := false
		for j := 0; j < in.Elem().NumField(); j++ {
			if f := in.Elem().Field(j); f.IsExported() && f.Name != "StreamId" {
				hasInput = true
			}
		}
		ops[name] = hasInput
	}
	return ops
}

// --- what rows share ---

// conformanceRows is the table: one row per operation of the SDK client.
func conformanceRows() []conformanceRow {
	var rows []conformanceRow
	rows = append(rows, streamRows()...)
	rows = append(rows, recordRows()...)
	rows = append(rows, iteratorRows()...)
	rows = append(rows, shardRows()...)
	rows = append(rows, consumerRows()...)
	rows = append(rows, tagRows()...)
	rows = append(rows, settingRows()...)
	rows = append(rows, accountRows()...)
	rows = append(rows, channelRows()...)
	return rows
}

func TestConformanceOverCBOR(t *testing.T) {
	runConformance(t, func(t *testing.T) *kinesis.Client {
		return newCBORClient(t, emulator.RunT(t))
	})
}
