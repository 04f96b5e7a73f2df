package lease_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pelicanhq/pelican/consumer/lease"
)

// decodeAV decodes one attribute value written in DynamoDB JSON ({"S": "..."}, {"N": "..."},
// {"SS": [...]}, {"B": "<base64>"}, {"L": [...]}, {"M": {...}}, {"BOOL": ...}, {"NULL": true}).
func decodeAV(raw json.RawMessage) (types.AttributeValue, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	if len(m) != 1 {
		return nil, fmt.Errorf("attribute value %s has %d types", raw, len(m))
	}
	for typ, v := range m {
		switch typ {
		case "S":
			var s string
			err := json.Unmarshal(v, &s)
			return &types.AttributeValueMemberS{Value: s}, err
		case "N":
			var s string
			err := json.Unmarshal(v, &s)
			return &types.AttributeValueMemberN{Value: s}, err
		case "B":
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, err
			}
			b, err := base64.StdEncoding.DecodeString(s)
			return &types.AttributeValueMemberB{Value: b}, err
		case "SS":
			var ss []string
			err := json.Unmarshal(v, &ss)
			return &types.AttributeValueMemberSS{Value: ss}, err
		case "NS":
			var ss []string
			err := json.Unmarshal(v, &ss)
			return &types.AttributeValueMemberNS{Value: ss}, err
		case "BOOL":
			var b bool
			err := json.Unmarshal(v, &b)
			return &types.AttributeValueMemberBOOL{Value: b}, err
		case "NULL":
			return &types.AttributeValueMemberNULL{Value: true}, nil
		case "L":
			var items []json.RawMessage
			if err := json.Unmarshal(v, &items); err != nil {
				return nil, err
			}
			l := &types.AttributeValueMemberL{}
			for _, it := range items {
				av, err := decodeAV(it)
				if err != nil {
					return nil, err
				}
				l.Value = append(l.Value, av)
			}
			return l, nil
		case "M":
			item, err := decodeItem(v)
			return &types.AttributeValueMemberM{Value: item}, err
		default:
			return nil, fmt.Errorf("unknown attribute type %q", typ)
		}
	}
	panic("unreachable")
}

func decodeItem(raw json.RawMessage) (map[string]types.AttributeValue, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	item := make(map[string]types.AttributeValue, len(m))
	for name, v := range m {
		av, err := decodeAV(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		item[name] = av
	}
	return item, nil
}

// kclTable returns the items of testdata/kcl3_lease_table.json.
func kclTable(t *testing.T) []map[string]types.AttributeValue {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "kcl3_lease_table.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Items []json.RawMessage }
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	var items []map[string]types.AttributeValue
	for _, raw := range file.Items {
		item, err := decodeItem(raw)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, item)
	}
	return items
}

// canon renders a value so that two equal values render alike: sets sorted, maps by name.
func canon(av types.AttributeValue) string {
	switch v := av.(type) {
	case nil:
		return "<absent>"
	case *types.AttributeValueMemberS:
		return "S:" + v.Value
	case *types.AttributeValueMemberN:
		return "N:" + v.Value
	case *types.AttributeValueMemberB:
		return "B:" + base64.StdEncoding.EncodeToString(v.Value)
	case *types.AttributeValueMemberSS:
		return "SS:" + strings.Join(slices.Sorted(slices.Values(v.Value)), ",")
	case *types.AttributeValueMemberNS:
		return "NS:" + strings.Join(slices.Sorted(slices.Values(v.Value)), ",")
	case *types.AttributeValueMemberBOOL:
		return fmt.Sprintf("BOOL:%v", v.Value)
	case *types.AttributeValueMemberNULL:
		return "NULL"
	case *types.AttributeValueMemberL:
		parts := make([]string, len(v.Value))
		for i, x := range v.Value {
			parts[i] = canon(x)
		}
		return "L[" + strings.Join(parts, ";") + "]"
	case *types.AttributeValueMemberM:
		return "M{" + canonItem(v.Value) + "}"
	default:
		return fmt.Sprintf("%T", v)
	}
}

func canonItem(item map[string]types.AttributeValue) string {
	var parts []string
	for name, v := range item {
		parts = append(parts, name+"="+canon(v))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// seedKCLTable creates the lease table and writes the KCL's items into it as they are.
func seedKCLTable(t *testing.T, api lease.DynamoDBAPI, table string) {
	t.Helper()
	if err := lease.NewDynamoDB(api, table).CreateTable(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, item := range kclTable(t) {
		if _, err := api.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
}

// scanTable reads every item of the table with the plain DynamoDB API, by leaseKey.
func scanTable(t *testing.T, api lease.DynamoDBAPI, table string) map[string]map[string]types.AttributeValue {
	t.Helper()
	out := map[string]map[string]types.AttributeValue{}
	var start map[string]types.AttributeValue
	for {
		page, err := api.Scan(t.Context(), &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true), ExclusiveStartKey: start})
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range page.Items {
			out[item["leaseKey"].(*types.AttributeValueMemberS).Value] = item
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out
		}
		start = page.LastEvaluatedKey
	}
}

const (
	kclSeq1        = "49659487268478127474651342383473297812371233436346597378"
	kclPendingSeq1 = "49659487268478127474651342390212315641052907123910672386"
	kclSeq2        = "49659487268500428219849873006614833531095413790232870946"
	maxHashKey     = "340282366920938463463374607431768211455"
)

// kclLeases are the leases of testdata/kcl3_lease_table.json, as the store must read them.
var kclLeases = []lease.Lease{
	{
		Key: "shardId-000000000000", Owner: "kcl-worker-1", Counter: 8812,
		Checkpoint:      lease.Checkpoint{SequenceNumber: lease.ShardEnd},
		ChildShardIDs:   []string{"shardId-000000000002", "shardId-000000000003"},
		StartingHashKey: "0", EndingHashKey: maxHashKey,
	},
	{
		Key: "shardId-000000000001", Owner: "kcl-worker-2", CheckpointOwner: "kcl-worker-1", Counter: 15002,
		Checkpoint:                   lease.Checkpoint{SequenceNumber: kclSeq1},
		PendingCheckpoint:            lease.Checkpoint{SequenceNumber: kclPendingSeq1},
		OwnerSwitchesSinceCheckpoint: 1,
		StartingHashKey:              "340282366920938463463374607431768211456", EndingHashKey: "680564733841876926926749214863536422911",
	},
	{
		Key: "shardId-000000000002", Owner: "kcl-worker-1", Counter: 4410,
		Checkpoint:      lease.Checkpoint{SequenceNumber: kclSeq2, SubSequenceNumber: 3},
		ParentShardIDs:  []string{"shardId-000000000000"},
		StartingHashKey: "0", EndingHashKey: "170141183460469231731687303715884105727",
	},
	{
		Key:             "shardId-000000000003",
		Checkpoint:      lease.Checkpoint{SequenceNumber: lease.TrimHorizon},
		ParentShardIDs:  []string{"shardId-000000000000"},
		StartingHashKey: "170141183460469231731687303715884105728", EndingHashKey: maxHashKey,
	},
}

// pelicanAttrs are the attributes the store writes; every other one belongs to the KCL.
var pelicanAttrs = map[string]bool{
	"leaseKey": true, "leaseOwner": true, "checkpointOwner": true, "leaseCounter": true,
	"ownerSwitchesSinceCheckpoint": true, "checkpoint": true, "checkpointSubSequenceNumber": true,
	"pendingCheckpoint": true, "pendingCheckpointSubSequenceNumber": true, "parentShardId": true,
	"childShardIds": true, "startingHashKey": true, "endingHashKey": true,
}

// checkKCLTable points the store at a lease table the KCL 3.5 wrote and carries on from its
// checkpoints: it reads the KCL's leases (and only them) as its own, takes them over, checkpoints
// and releases them, and leaves every item that is not a lease, and every attribute of a lease
// that it does not know, as the KCL wrote it.
func checkKCLTable(t *testing.T, api lease.DynamoDBAPI, table string) {
	ctx := t.Context()
	seedKCLTable(t, api, table)
	before := scanTable(t, api, table)
	s := lease.NewDynamoDB(api, table)

	got, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(got, func(i, j int) bool { return got[i].Key < got[j].Key })
	for i := range got {
		sort.Strings(got[i].ChildShardIDs)
	}
	if !reflect.DeepEqual(got, kclLeases) {
		t.Fatalf("List read the KCL's table as\n%+v\nwant\n%+v", got, kclLeases)
	}
	for _, key := range []string{"kcl-worker-1", "Leader", "Migration3.0"} {
		if l, err := s.Get(ctx, key); !errors.Is(err, lease.ErrNotFound) {
			t.Errorf("Get(%q) = %+v, %v; want ErrNotFound: it is not a lease", key, l, err)
		}
		// A write aimed at an item that is not a lease is refused, even with a matching counter.
		if _, err := s.Take(ctx, lease.Lease{Key: key}, "pelican-a"); !errors.Is(err, lease.ErrConflict) {
			t.Errorf("Take(%q) = %v; want ErrConflict", key, err)
		}
		if err := s.Delete(ctx, lease.Lease{Key: key}); !errors.Is(err, lease.ErrConflict) {
			t.Errorf("Delete(%q) = %v; want ErrConflict", key, err)
		}
	}

	// A Pelican worker carries on: it takes the child the KCL had not started and the one it had
	// checkpointed inside an aggregate (both expired, as its take pass would find them), ends the
	// stalled handoff, and checkpoints each.
	must := func(l lease.Lease, err error) lease.Lease {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	cps := map[string]lease.Checkpoint{
		"shardId-000000000001": {SequenceNumber: "49659487268478127474651342395000000000000000000000000001"},
		"shardId-000000000002": {SequenceNumber: "49659487268500428219849873006614833531095413790232870946", SubSequenceNumber: 7},
		"shardId-000000000003": {SequenceNumber: "49659487268500428219849873010000000000000000000000000003"},
	}
	for _, key := range slices.Sorted(maps.Keys(cps)) {
		l := must(s.Get(ctx, key))
		l = must(s.Take(ctx, l, "pelican-a"))
		l = must(s.Renew(ctx, l))
		l = must(s.Checkpoint(ctx, l, cps[key]))
		if l.Owner != "pelican-a" || l.CheckpointOwner != "" || l.Checkpoint != cps[key] || !l.PendingCheckpoint.IsZero() {
			t.Errorf("%s after take and checkpoint: %+v", key, l)
		}
		if key == "shardId-000000000003" {
			must(s.Release(ctx, l, "pelican-a"))
		}
	}
	if _, err := s.Create(ctx, lease.Lease{Key: "shardId-000000000004", Checkpoint: lease.Checkpoint{SequenceNumber: lease.TrimHorizon}}); err != nil {
		t.Fatal(err)
	}

	after := scanTable(t, api, table)
	for key, old := range before {
		now := after[key]
		if _, written := cps[key]; !written {
			// The finished parent, and every item that is not a lease, are as the KCL wrote them.
			if canonItem(now) != canonItem(old) {
				t.Errorf("item %s changed:\n%s\nwas\n%s", key, canonItem(now), canonItem(old))
			}
			continue
		}
		for name, v := range old {
			switch {
			case pelicanAttrs[name]:
			case name == "pendingCheckpointState":
				if now[name] != nil {
					t.Errorf("%s: a checkpoint left pendingCheckpointState %s behind", key, canon(now[name]))
				}
			case canon(now[name]) != canon(v):
				t.Errorf("%s: attribute %s is %s after Pelican's writes, was %s", key, name, canon(now[name]), canon(v))
			}
		}
	}
	if et := canon(after["shardId-000000000004"]["entityType"]); et != "S:LEASE" {
		t.Errorf("a lease Pelican creates has entityType %s, want S:LEASE as the KCL 3.5 writes", et)
	}
	if leases, err := s.List(ctx); err != nil || len(leases) != 5 {
		t.Errorf("List after the takeover: %d leases, %v; want 5", len(leases), err)
	}
}

// TestDynamoDBKCL3Table runs checkKCLTable over the in-memory DynamoDB; TestInteropDynamoDBKCL3Table
// runs it over dynalite.
func TestDynamoDBKCL3Table(t *testing.T) {
	checkKCLTable(t, newFakeDynamoDB(), "kcl-app")
}
