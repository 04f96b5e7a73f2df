package filelease_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pelicanhq/pelican/consumer/lease"
	"github.com/pelicanhq/pelican/examples/internal/filelease"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func sample() []lease.Lease {
	return []lease.Lease{
		{
			Key: "shardId-000000000002", Owner: "notifier-7f3a", Counter: 12,
			Checkpoint:      lease.Checkpoint{SequenceNumber: "49650000000000000000000000000000000000000000000000000017", SubSequenceNumber: 3},
			ParentShardIDs:  []string{"shardId-000000000000", "shardId-000000000001"},
			StartingHashKey: "0", EndingHashKey: "170141183460469231731687303715884105727",
		},
		{
			Key: "shardId-000000000000", Counter: 40,
			Checkpoint:                   lease.Checkpoint{SequenceNumber: lease.ShardEnd},
			PendingCheckpoint:            lease.Checkpoint{SequenceNumber: "49650000000000000000000000000000000000000000000000000001", SubSequenceNumber: 1},
			OwnerSwitchesSinceCheckpoint: 2, CheckpointOwner: "notifier-0001",
			ChildShardIDs:   []string{"shardId-000000000002"},
			StartingHashKey: "0", EndingHashKey: "340282366920938463463374607431768211455",
		},
	}
}

func TestFormatGolden(t *testing.T) {
	got, err := filelease.Format(sample())
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "leases.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Format differs from %s (go test -update rewrites it):\n%s", golden, got)
	}
	back, err := filelease.Parse(want)
	if err != nil {
		t.Fatal(err)
	}
	if s := sample(); !reflect.DeepEqual(back, []lease.Lease{s[1], s[0]}) {
		t.Fatalf("Parse(golden) = %+v, want the sample sorted by key", back)
	}
}

func TestParseRefuses(t *testing.T) {
	cases := []struct {
		name, data, want string
	}{
		{"empty", ``, "EOF"},
		{"not json", `leases`, "invalid character"},
		{"other version", `{"version":2,"leases":[]}`, "version 2"},
		{"no version", `{"leases":[]}`, "version 0"},
		{"no key", `{"version":1,"leases":[{"leaseCounter":1}]}`, "no leaseKey"},
		{"twice", `{"version":1,"leases":[{"leaseKey":"a"},{"leaseKey":"a"}]}`, "appears twice"},
		{"unknown field", `{"version":1,"leases":[{"leaseKey":"a","owner":"x"}]}`, "unknown field"},
		{"trailing", `{"version":1,"leases":[]} {}`, "data after"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := filelease.Parse([]byte(c.data))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Parse(%q) = %v, want an error containing %q", c.data, err, c.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	golden, err := filelease.Format(sample())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	f.Add([]byte(`{"version":1,"leases":[]}`))
	f.Add([]byte(`{"version":1,"leases":[{"leaseKey":"a","parentShardId":[]}]}`))
	f.Add([]byte(`{"version":1,"leases":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		leases, err := filelease.Parse(data)
		if err != nil {
			return
		}
		again, err := filelease.Format(leases)
		if err != nil {
			t.Fatalf("Format of parsed leases: %v", err)
		}
		back, err := filelease.Parse(again)
		if err != nil {
			t.Fatalf("Parse of formatted leases: %v\n%s", err, again)
		}
		if len(back) != len(leases) {
			t.Fatalf("round trip kept %d of %d leases", len(back), len(leases))
		}
		byKey := map[string]lease.Lease{}
		for _, l := range leases {
			byKey[l.Key] = l
		}
		for _, l := range back {
			if !equal(l, byKey[l.Key]) {
				t.Fatalf("round trip changed %s: %+v, was %+v", l.Key, l, byKey[l.Key])
			}
		}
	})
}

// equal compares leases, treating nil and empty slices as the same.
func equal(a, b lease.Lease) bool {
	for _, l := range []*lease.Lease{&a, &b} {
		if len(l.ParentShardIDs) == 0 {
			l.ParentShardIDs = nil
		}
		if len(l.ChildShardIDs) == 0 {
			l.ChildShardIDs = nil
		}
	}
	return reflect.DeepEqual(a, b)
}
