package lease

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The attribute names of a lease item: those the KCL's lease serializer writes, so that a KCL
// lease table and ours read the same.
const (
	attrKey                = "leaseKey"
	attrOwner              = "leaseOwner"
	attrCheckpointOwner    = "checkpointOwner"
	attrCounter            = "leaseCounter"
	attrOwnerSwitches      = "ownerSwitchesSinceCheckpoint"
	attrCheckpoint         = "checkpoint"
	attrCheckpointSub      = "checkpointSubSequenceNumber"
	attrPendingCheckpoint  = "pendingCheckpoint"
	attrPendingCheckpoint2 = "pendingCheckpointSubSequenceNumber"
	attrParents            = "parentShardId"
	attrChildren           = "childShardIds"
	attrStartingHashKey    = "startingHashKey"
	attrEndingHashKey      = "endingHashKey"
	// attrPendingState is the KCL's two-phase checkpoint state (binary), cleared by a checkpoint.
	attrPendingState = "pendingCheckpointState"
	// attrEntityType tells apart the kinds of item a KCL 3 lease table holds: leases, and the
	// worker metrics, leader lock, stream and migration items the KCL keeps beside them.
	attrEntityType = "entityType"
)

// entityLease is the entityType of a lease. The KCL writes it on every lease it creates since
// version 3.5; leases written before, by Pelican or by older KCLs, have no entityType at all.
const entityLease = "LEASE"

// isLease reports whether a lease table item is a lease: its entityType is LEASE or it has none,
// as the KCL decides. Items of other kinds (WORKER_METRIC_STATS, LEADER, STREAM,
// CLIENT_VERSION_MIGRATION, TABLE_MIGRATION and the lower-case names of earlier KCL 3 releases)
// are the KCL's own and are neither read nor written as leases. The leader lock and migration
// items the KCL wrote before it had entityType are known by their keys.
func isLease(item map[string]types.AttributeValue) bool {
	switch v := item[attrEntityType].(type) {
	case nil:
	case *types.AttributeValueMemberS:
		return v.Value == entityLease
	default:
		return false
	}
	switch k, _ := item[attrKey].(*types.AttributeValueMemberS); {
	case k == nil:
		return true // fromItem reports the missing key
	case k.Value == kclLeaderKey, k.Value == kclMigrationKey:
		return false
	}
	return true
}

// The keys of the KCL 3 leader lock and of its KCL 2 to 3 migration state.
const (
	kclLeaderKey    = "Leader"
	kclMigrationKey = "Migration3.0"
)

// toItem encodes l as a DynamoDB item, marked as a lease as the KCL 3.5 marks its own. Empty
// optional fields are left out, as the KCL does; DynamoDB refuses empty string sets.
func toItem(l Lease) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		attrKey:           str(l.Key),
		attrCounter:       num(l.Counter),
		attrOwnerSwitches: num(l.OwnerSwitchesSinceCheckpoint),
		attrCheckpoint:    str(l.Checkpoint.SequenceNumber),
		attrCheckpointSub: num(l.Checkpoint.SubSequenceNumber),
		attrEntityType:    str(entityLease),
	}
	if l.Checkpoint.SequenceNumber == "" {
		delete(item, attrCheckpoint)
	}
	putString(item, attrOwner, l.Owner)
	putString(item, attrCheckpointOwner, l.CheckpointOwner)
	if l.PendingCheckpoint.SequenceNumber != "" {
		item[attrPendingCheckpoint] = str(l.PendingCheckpoint.SequenceNumber)
		item[attrPendingCheckpoint2] = num(l.PendingCheckpoint.SubSequenceNumber)
	}
	if len(l.ParentShardIDs) > 0 {
		item[attrParents] = &types.AttributeValueMemberSS{Value: append([]string(nil), l.ParentShardIDs...)}
	}
	if len(l.ChildShardIDs) > 0 {
		item[attrChildren] = &types.AttributeValueMemberSS{Value: append([]string(nil), l.ChildShardIDs...)}
	}
	putString(item, attrStartingHashKey, l.StartingHashKey)
	putString(item, attrEndingHashKey, l.EndingHashKey)
	return item
}

// fromItem decodes a lease item, failing on an attribute of the wrong type.
func fromItem(item map[string]types.AttributeValue) (Lease, error) {
	var (
		l   Lease
		err error
	)
	strs := []struct {
		name string
		dst  *string
	}{
		{attrKey, &l.Key},
		{attrOwner, &l.Owner},
		{attrCheckpointOwner, &l.CheckpointOwner},
		{attrCheckpoint, &l.Checkpoint.SequenceNumber},
		{attrPendingCheckpoint, &l.PendingCheckpoint.SequenceNumber},
		{attrStartingHashKey, &l.StartingHashKey},
		{attrEndingHashKey, &l.EndingHashKey},
	}
	for _, s := range strs {
		if *s.dst, err = getString(item, s.name); err != nil {
			return Lease{}, err
		}
	}
	nums := []struct {
		name string
		dst  *int64
	}{
		{attrCounter, &l.Counter},
		{attrOwnerSwitches, &l.OwnerSwitchesSinceCheckpoint},
		{attrCheckpointSub, &l.Checkpoint.SubSequenceNumber},
		{attrPendingCheckpoint2, &l.PendingCheckpoint.SubSequenceNumber},
	}
	for _, n := range nums {
		if *n.dst, err = getNumber(item, n.name); err != nil {
			return Lease{}, err
		}
	}
	if l.ParentShardIDs, err = getStringSet(item, attrParents); err != nil {
		return Lease{}, err
	}
	if l.ChildShardIDs, err = getStringSet(item, attrChildren); err != nil {
		return Lease{}, err
	}
	if l.Key == "" {
		return Lease{}, fmt.Errorf("lease: item without %s", attrKey)
	}
	return l, nil
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func putString(item map[string]types.AttributeValue, name, v string) {
	if v != "" {
		item[name] = str(v)
	}
}

func getString(item map[string]types.AttributeValue, name string) (string, error) {
	switch v := item[name].(type) {
	case nil:
		return "", nil
	case *types.AttributeValueMemberS:
		return v.Value, nil
	default:
		return "", fmt.Errorf("lease: attribute %s is %T, want a string", name, v)
	}
}

func getNumber(item map[string]types.AttributeValue, name string) (int64, error) {
	switch v := item[name].(type) {
	case nil:
		return 0, nil
	case *types.AttributeValueMemberN:
		n, err := strconv.ParseInt(v.Value, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("lease: attribute %s: %w", name, err)
		}
		return n, nil
	default:
		return 0, fmt.Errorf("lease: attribute %s is %T, want a number", name, v)
	}
}

func getStringSet(item map[string]types.AttributeValue, name string) ([]string, error) {
	switch v := item[name].(type) {
	case nil:
		return nil, nil
	case *types.AttributeValueMemberSS:
		return append([]string(nil), v.Value...), nil
	case *types.AttributeValueMemberS:
		// An older writer may have stored a single parent as a plain string.
		return []string{v.Value}, nil
	default:
		return nil, fmt.Errorf("lease: attribute %s is %T, want a string set", name, v)
	}
}
