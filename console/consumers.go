package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/consumer/lease"
)

type consumerRow struct {
	Name, ARN, Status string
	Created           time.Time
	Subscriptions     []string // shards with a live SubscribeToShard (emulator only)
}

type leaseRow struct {
	Shard, Owner, Checkpoint string
	Behind                   string // records behind the shard's latest record
	BehindTime               string
	Err                      string
}

type consumersData struct {
	base
	Consumers  []consumerRow
	LeaseTable string
	Leases     []leaseRow
	LeaseErr   string
	SubsErr    string // why the emulator's subscriptions are unknown
	Owner      string // the lease filter
	LeaseTotal int
	PrevURL    string
	NextURL    string
}

// leasesPerPage is how many leases a page of the consumers view reads the lag of.
const leasesPerPage = 50

// maxLagCalls bounds the GetRecords calls that count one lease's lag.
const maxLagCalls = 10

func (c *Console) consumersPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	name := r.PathValue("name")
	sum, err := c.client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: &name})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := consumersData{base: c.base("Consumers of "+name, name, "consumers"), LeaseTable: c.cfg.leaseTable}
	p := kinesis.NewListStreamConsumersPaginator(c.client, &kinesis.ListStreamConsumersInput{StreamARN: sum.StreamDescriptionSummary.StreamARN})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		for _, cs := range out.Consumers {
			d.Consumers = append(d.Consumers, consumerRow{Name: aws.ToString(cs.ConsumerName), ARN: aws.ToString(cs.ConsumerARN),
				Status: string(cs.ConsumerStatus), Created: aws.ToTime(cs.ConsumerCreationTimestamp)})
		}
	}
	if c.admin != nil {
		subs, err := c.admin.subscriptions(ctx, name)
		if err != nil {
			d.SubsErr = err.Error()
		}
		for i := range d.Consumers {
			for _, s := range subs {
				if s.ConsumerARN == d.Consumers[i].ARN {
					d.Consumers[i].Subscriptions = append(d.Consumers[i].Subscriptions, s.ShardID+" since "+s.Started.UTC().Format("15:04:05"))
				}
			}
		}
	}
	if c.cfg.leases != nil {
		leases, err := c.cfg.leases.List(ctx)
		if err != nil {
			d.LeaseErr = err.Error()
		}
		d.Owner = r.URL.Query().Get("owner")
		leases = slices.DeleteFunc(leases, func(l lease.Lease) bool { return d.Owner != "" && l.Owner != d.Owner })
		sort.Slice(leases, func(i, j int) bool { return leases[i].Key < leases[j].Key })
		page, from, to := pageRange(r.URL.Query().Get("page"), leasesPerPage, len(leases))
		for _, l := range leases[from:to] {
			d.Leases = append(d.Leases, c.leaseLag(ctx, name, l))
		}
		d.LeaseTotal = len(leases)
		link := func(p int) string {
			q := url.Values{"page": {strconv.Itoa(p)}}
			if d.Owner != "" {
				q.Set("owner", d.Owner)
			}
			return c.cfg.prefix + "streams/" + url.PathEscape(name) + "/consumers?" + q.Encode()
		}
		if page > 1 {
			d.PrevURL = link(page - 1)
		}
		if to < len(leases) {
			d.NextURL = link(page + 1)
		}
	}
	c.render(w, r, http.StatusOK, "consumers", d)
}

// leaseLag reads a lease's shard from its checkpoint to the end: how many records and how much
// time it is behind. It reads without an iterator's side effects: nothing is written.
func (c *Console) leaseLag(ctx context.Context, stream string, l lease.Lease) leaseRow {
	row := leaseRow{Shard: l.Key, Owner: l.Owner, Checkpoint: l.Checkpoint.String()}
	if row.Owner == "" {
		row.Owner = "(free)"
	}
	in := &kinesis.GetShardIteratorInput{StreamName: &stream, ShardId: aws.String(l.Key)}
	switch cp := l.Checkpoint.SequenceNumber; cp {
	case lease.ShardEnd:
		row.Behind, row.BehindTime = "0", "0s"
		return row
	case lease.TrimHorizon, "":
		in.ShardIteratorType = types.ShardIteratorTypeTrimHorizon
	case lease.Latest, lease.AtTimestamp:
		row.Behind, row.BehindTime = "unknown until the first checkpoint", ""
		return row
	default:
		in.ShardIteratorType, in.StartingSequenceNumber = types.ShardIteratorTypeAfterSequenceNumber, aws.String(cp)
	}
	it, err := c.client.GetShardIterator(ctx, in)
	if err != nil {
		var nf *types.ResourceNotFoundException
		if errors.As(err, &nf) {
			row.Err = "the shard is no longer in the stream"
		} else {
			row.Err = err.Error()
		}
		return row
	}
	iter, count, behind, complete := it.ShardIterator, 0, int64(-1), false
	for call := 0; iter != nil && call < maxLagCalls; call++ {
		out, err := c.client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			row.Err = err.Error()
			return row
		}
		if behind < 0 {
			behind = aws.ToInt64(out.MillisBehindLatest)
			if len(out.Records) > 0 {
				behind = max(behind, time.Since(aws.ToTime(out.Records[0].ApproximateArrivalTimestamp)).Milliseconds())
			}
		}
		count += len(out.Records)
		iter = out.NextShardIterator
		if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 || iter == nil {
			complete = true
			break
		}
	}
	row.Behind = fmt.Sprint(count)
	if !complete {
		row.Behind = "≥ " + row.Behind
	}
	if count == 0 {
		behind = 0
	}
	row.BehindTime = (time.Duration(max(behind, 0)) * time.Millisecond).String()
	return row
}
