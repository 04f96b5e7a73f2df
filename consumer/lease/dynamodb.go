package lease

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoDBAPI is the part of the DynamoDB client the store uses; *dynamodb.Client satisfies it.
type DynamoDBAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Scan(ctx context.Context, in *dynamodb.ScanInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

// DynamoDB is a Store kept in a DynamoDB table laid out like the KCL's lease table: one item per
// shard under the string hash key leaseKey. Every change is a conditional write on leaseCounter,
// leaseOwner and checkpointOwner, and every read is strongly consistent.
//
// The table may be one the Java KCL wrote, so that a consumer moved from Java carries on from its
// checkpoints. Items that are not leases (a KCL 3 keeps worker metrics, its leader lock and its
// migration state in the lease table, told apart by their entityType) are skipped by List and
// Get and never written. Changes are UpdateItem calls that set and remove only the attributes
// the store knows, so attributes written by the KCL (throughputKBps, pendingCheckpointState...)
// are kept; and a checkpoint clears pendingCheckpointState with the pending checkpoint, as the
// KCL's own checkpoint does.
type DynamoDB struct {
	client DynamoDBAPI
	table  string
}

var _ Store = (*DynamoDB)(nil)

// NewDynamoDB returns a store over the named table. Call CreateTable once if the table may not
// exist yet.
func NewDynamoDB(client DynamoDBAPI, table string) *DynamoDB {
	return &DynamoDB{client: client, table: table}
}

// Table returns the table's name.
func (d *DynamoDB) Table() string { return d.table }

// CreateTable creates the lease table with on-demand billing when it does not exist, then waits
// until it is ACTIVE.
func (d *DynamoDB) CreateTable(ctx context.Context) error {
	_, err := d.client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(d.table),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(attrKey), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(attrKey), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("lease: create table %s: %w", d.table, err)
	}
	delay := 50 * time.Millisecond
	for {
		out, err := d.client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(d.table)})
		if err != nil {
			return fmt.Errorf("lease: describe table %s: %w", d.table, err)
		}
		if out.Table != nil && out.Table.TableStatus == types.TableStatusActive {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("lease: waiting for table %s: %w", d.table, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(2*delay, 2*time.Second)
	}
}

// Create stores l as a new lease.
func (d *DynamoDB) Create(ctx context.Context, l Lease) (Lease, error) {
	if l.Key == "" {
		return Lease{}, fmt.Errorf("lease: create: empty key")
	}
	_, err := d.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(d.table),
		Item:                     toItem(l),
		ConditionExpression:      aws.String("attribute_not_exists(#k)"),
		ExpressionAttributeNames: map[string]string{"#k": attrKey},
	})
	if err != nil {
		var failed *types.ConditionalCheckFailedException
		if errors.As(err, &failed) {
			return Lease{}, fmt.Errorf("lease: create %s: %w", l.Key, ErrExists)
		}
		return Lease{}, fmt.Errorf("lease: create %s: %w", l.Key, err)
	}
	return l.Clone(), nil
}

// Get returns the lease with the given key.
func (d *DynamoDB) Get(ctx context.Context, key string) (Lease, error) {
	out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(d.table),
		Key:            map[string]types.AttributeValue{attrKey: str(key)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Lease{}, fmt.Errorf("lease: get %s: %w", key, err)
	}
	if len(out.Item) == 0 || !isLease(out.Item) {
		return Lease{}, fmt.Errorf("lease: get %s: %w", key, ErrNotFound)
	}
	return fromItem(out.Item)
}

// List returns every lease, scanning the whole table with consistent reads.
func (d *DynamoDB) List(ctx context.Context) ([]Lease, error) {
	var (
		out   []Lease
		start map[string]types.AttributeValue
	)
	for {
		page, err := d.client.Scan(ctx, &dynamodb.ScanInput{
			TableName:         aws.String(d.table),
			ConsistentRead:    aws.Bool(true),
			ExclusiveStartKey: start,
		})
		if err != nil {
			return nil, fmt.Errorf("lease: scan %s: %w", d.table, err)
		}
		for _, item := range page.Items {
			if !isLease(item) {
				continue
			}
			l, err := fromItem(item)
			if err != nil {
				return nil, err
			}
			out = append(out, l)
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		start = page.LastEvaluatedKey
	}
}

// Take makes owner the lease's owner.
func (d *DynamoDB) Take(ctx context.Context, l Lease, owner string) (Lease, error) {
	if owner == "" {
		return Lease{}, fmt.Errorf("lease: take %s: empty owner", l.Key)
	}
	u := newUpdate(l)
	u.set(attrOwner, str(owner))
	u.remove(attrCheckpointOwner)
	if l.Owner != "" && l.Owner != owner {
		u.add(attrOwnerSwitches, num(1))
	}
	return d.update(ctx, "take", l, u)
}

// Handoff makes newOwner the owner and the current owner the checkpoint owner.
func (d *DynamoDB) Handoff(ctx context.Context, l Lease, newOwner string) (Lease, error) {
	if err := checkHandoff(l, newOwner); err != nil {
		return Lease{}, err
	}
	u := newUpdate(l)
	u.set(attrOwner, str(newOwner))
	u.set(attrCheckpointOwner, str(l.Owner))
	u.add(attrOwnerSwitches, num(1))
	return d.update(ctx, "handoff", l, u)
}

// Renew bumps the lease's counter.
func (d *DynamoDB) Renew(ctx context.Context, l Lease) (Lease, error) {
	return d.update(ctx, "renew", l, newUpdate(l))
}

// Checkpoint records cp.
func (d *DynamoDB) Checkpoint(ctx context.Context, l Lease, cp Checkpoint) (Lease, error) {
	if cp.SequenceNumber == "" {
		return Lease{}, fmt.Errorf("lease: checkpoint %s: empty sequence number", l.Key)
	}
	u := newUpdate(l)
	u.set(attrCheckpoint, str(cp.SequenceNumber))
	u.set(attrCheckpointSub, num(cp.SubSequenceNumber))
	u.set(attrOwnerSwitches, num(0))
	u.remove(attrPendingCheckpoint)
	u.remove(attrPendingCheckpoint2)
	u.remove(attrPendingState)
	if len(l.ChildShardIDs) > 0 {
		u.set(attrChildren, &types.AttributeValueMemberSS{Value: append([]string(nil), l.ChildShardIDs...)})
	}
	return d.update(ctx, "checkpoint", l, u)
}

// Release gives up worker's part in the lease.
func (d *DynamoDB) Release(ctx context.Context, l Lease, worker string) (Lease, error) {
	r, ok := released(l, worker)
	if !ok {
		return Lease{}, fmt.Errorf("lease: release %s by %q: %w", l.Key, worker, ErrConflict)
	}
	u := newUpdate(l)
	if r.CheckpointOwner != l.CheckpointOwner {
		u.remove(attrCheckpointOwner)
	} else {
		u.remove(attrOwner)
	}
	return d.update(ctx, "release", l, u)
}

// Delete removes the lease.
func (d *DynamoDB) Delete(ctx context.Context, l Lease) error {
	u := newUpdate(l)
	_, err := d.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(d.table),
		Key:                       map[string]types.AttributeValue{attrKey: str(l.Key)},
		ConditionExpression:       aws.String(u.condition),
		ExpressionAttributeNames:  u.condNames,
		ExpressionAttributeValues: u.condValues,
	})
	return d.fail("delete", l, err)
}

func (d *DynamoDB) update(ctx context.Context, op string, l Lease, u *update) (Lease, error) {
	out, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.table),
		Key:                       map[string]types.AttributeValue{attrKey: str(l.Key)},
		UpdateExpression:          aws.String(u.expression()),
		ConditionExpression:       aws.String(u.condition),
		ExpressionAttributeNames:  u.allNames(),
		ExpressionAttributeValues: u.allValues(),
		ReturnValues:              types.ReturnValueAllNew,
	})
	if err := d.fail(op, l, err); err != nil {
		return Lease{}, err
	}
	return fromItem(out.Attributes)
}

// fail maps a failed condition to ErrConflict.
func (d *DynamoDB) fail(op string, l Lease, err error) error {
	if err == nil {
		return nil
	}
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return fmt.Errorf("lease: %s %s: %w", op, l.Key, ErrConflict)
	}
	return fmt.Errorf("lease: %s %s: %w", op, l.Key, err)
}

// update builds an UpdateItem request that bumps the counter, guarded by the version condition.
// The condition's names and values are kept apart from the update's, since DeleteItem sends the
// condition alone and DynamoDB refuses unused expression names and values.
type update struct {
	sets, removes, adds []string
	condition           string
	condNames           map[string]string
	condValues          map[string]types.AttributeValue
	names               map[string]string
	values              map[string]types.AttributeValue
}

func newUpdate(l Lease) *update {
	u := &update{
		condNames:  map[string]string{"#ver": attrCounter},
		condValues: map[string]types.AttributeValue{":ver": num(l.Counter)},
		names:      map[string]string{},
		values:     map[string]types.AttributeValue{},
	}
	// The counter's condition alone would refuse an item of the KCL's that is not a lease, for
	// none has a leaseCounter; the entityType's says so.
	conds := []string{"#ver = :ver", "(attribute_not_exists(#et) OR #et = :lease)"}
	u.condNames["#et"] = attrEntityType
	u.condValues[":lease"] = str(entityLease)
	for i, p := range []struct{ attr, v string }{{attrOwner, l.Owner}, {attrCheckpointOwner, l.CheckpointOwner}} {
		n := fmt.Sprintf("#who%d", i)
		u.condNames[n] = p.attr
		if p.v == "" {
			conds = append(conds, "attribute_not_exists("+n+")")
			continue
		}
		v := fmt.Sprintf(":who%d", i)
		u.condValues[v] = str(p.v)
		conds = append(conds, n+" = "+v)
	}
	u.condition = strings.Join(conds, " AND ")
	u.set(attrCounter, num(l.Counter+1))
	return u
}

func (u *update) name(attr string) string {
	n := fmt.Sprintf("#a%d", len(u.names))
	u.names[n] = attr
	return n
}

func (u *update) value(v types.AttributeValue) string {
	n := fmt.Sprintf(":v%d", len(u.values))
	u.values[n] = v
	return n
}

func (u *update) set(attr string, v types.AttributeValue) {
	u.sets = append(u.sets, u.name(attr)+" = "+u.value(v))
}

func (u *update) add(attr string, v types.AttributeValue) {
	u.adds = append(u.adds, u.name(attr)+" "+u.value(v))
}

func (u *update) remove(attr string) { u.removes = append(u.removes, u.name(attr)) }

func (u *update) expression() string {
	var parts []string
	if len(u.sets) > 0 {
		parts = append(parts, "SET "+strings.Join(u.sets, ", "))
	}
	if len(u.removes) > 0 {
		parts = append(parts, "REMOVE "+strings.Join(u.removes, ", "))
	}
	if len(u.adds) > 0 {
		parts = append(parts, "ADD "+strings.Join(u.adds, ", "))
	}
	return strings.Join(parts, " ")
}

// allNames and allValues merge the condition's and the update's.
func (u *update) allNames() map[string]string {
	out := maps.Clone(u.names)
	maps.Copy(out, u.condNames)
	return out
}

func (u *update) allValues() map[string]types.AttributeValue {
	out := maps.Clone(u.values)
	maps.Copy(out, u.condValues)
	return out
}
