package lease

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata")

// describeItem renders an item as sorted "name TYPE value" lines.
func describeItem(item map[string]types.AttributeValue) string {
	var lines []string
	for name, v := range item {
		var line string
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			line = fmt.Sprintf("%s S %s", name, v.Value)
		case *types.AttributeValueMemberN:
			line = fmt.Sprintf("%s N %s", name, v.Value)
		case *types.AttributeValueMemberSS:
			ss := append([]string(nil), v.Value...)
			sort.Strings(ss)
			line = fmt.Sprintf("%s SS %s", name, strings.Join(ss, ","))
		default:
			line = fmt.Sprintf("%s %T", name, v)
		}
		lines = append(lines, line)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

// TestItemLayout pins the item layout to the KCL's lease table: attribute names and types.
func TestItemLayout(t *testing.T) {
	tests := []struct {
		name string
		l    Lease
	}{
		{"full", Lease{
			Key: "shardId-000000000003", Owner: "worker-b", CheckpointOwner: "worker-a", Counter: 42,
			Checkpoint:                   Checkpoint{SequenceNumber: "49590338271490256608559692538361571095921575989136588898", SubSequenceNumber: 3},
			PendingCheckpoint:            Checkpoint{SequenceNumber: "49590338271490256608559692538361571095921575989136588999", SubSequenceNumber: 1},
			OwnerSwitchesSinceCheckpoint: 2,
			ParentShardIDs:               []string{"shardId-000000000001", "shardId-000000000000"},
			ChildShardIDs:                []string{"shardId-000000000005"},
			StartingHashKey:              "0", EndingHashKey: "170141183460469231731687303715884105727",
		}},
		{"new", Lease{Key: "shardId-000000000000", Checkpoint: Checkpoint{SequenceNumber: TrimHorizon}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			item := toItem(tt.l)
			got := describeItem(item)
			path := filepath.Join("testdata", "item_"+tt.name+".golden")
			if *updateGolden {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Fatalf("item layout changed:\n%s\nwant:\n%s", got, want)
			}
			back, err := fromItem(item)
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(back.ParentShardIDs)
			want2 := tt.l.Clone()
			sort.Strings(want2.ParentShardIDs)
			if !reflect.DeepEqual(back, want2) {
				t.Fatalf("round trip: %+v, want %+v", back, want2)
			}
		})
	}
}

func TestFromItemRejectsWrongTypes(t *testing.T) {
	tests := []struct {
		name string
		item map[string]types.AttributeValue
	}{
		{"no key", map[string]types.AttributeValue{attrCounter: num(1)}},
		{"counter as string", map[string]types.AttributeValue{attrKey: str("k"), attrCounter: str("1")}},
		{"counter not a number", map[string]types.AttributeValue{attrKey: str("k"), attrCounter: &types.AttributeValueMemberN{Value: "x"}}},
		{"owner as number", map[string]types.AttributeValue{attrKey: str("k"), attrOwner: num(1)}},
		{"parents as number", map[string]types.AttributeValue{attrKey: str("k"), attrParents: num(1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if l, err := fromItem(tt.item); err == nil {
				t.Fatalf("fromItem accepted %v as %+v", tt.item, l)
			}
		})
	}
}

func TestFromItemSingleParentString(t *testing.T) {
	l, err := fromItem(map[string]types.AttributeValue{attrKey: str("k"), attrParents: str("shardId-000000000000")})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(l.ParentShardIDs, []string{"shardId-000000000000"}) {
		t.Fatalf("parents %v", l.ParentShardIDs)
	}
}

// TestIsLease tells leases from the other items of a KCL 3 lease table, as the KCL's serializer
// does: entityType LEASE or none is a lease, anything else is not; the leader lock and migration
// items written before the KCL had entityType are known by their keys.
func TestIsLease(t *testing.T) {
	tests := []struct {
		name string
		item map[string]types.AttributeValue
		want bool
	}{
		{"pelican or KCL 2 lease", map[string]types.AttributeValue{attrKey: str("shardId-000000000000"), attrCounter: num(3)}, true},
		{"KCL 3.5 lease", map[string]types.AttributeValue{attrKey: str("shardId-000000000000"), attrEntityType: str("LEASE")}, true},
		{"worker metrics", map[string]types.AttributeValue{attrKey: str("worker-1"), attrEntityType: str("WORKER_METRIC_STATS")}, false},
		{"leader lock", map[string]types.AttributeValue{attrKey: str("Leader"), attrEntityType: str("LEADER")}, false},
		{"leader lock of an earlier KCL 3", map[string]types.AttributeValue{attrKey: str("Leader"), attrEntityType: str("leaderLock")}, false},
		{"leader lock without entityType", map[string]types.AttributeValue{attrKey: str("Leader"), "ownerName": str("w")}, false},
		{"migration without entityType", map[string]types.AttributeValue{attrKey: str("Migration3.0"), "cv": str("CLIENT_VERSION_3X")}, false},
		{"stream info", map[string]types.AttributeValue{attrKey: str("123456789012:orders"), attrEntityType: str("STREAM")}, false},
		{"a kind yet to come", map[string]types.AttributeValue{attrKey: str("x"), attrEntityType: str("SOME_FUTURE_TYPE")}, false},
		{"entityType not a string", map[string]types.AttributeValue{attrKey: str("x"), attrEntityType: num(1)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isLease(tt.item); got != tt.want {
				t.Fatalf("isLease = %v, want %v", got, tt.want)
			}
		})
	}
}
