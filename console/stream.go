package console

import (
	"fmt"
	"html/template"
	"math/big"
	"net/http"
	"net/url"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/internal/shardlist"
)

// rateSeconds is how many seconds of per-shard rates the stream page draws.
const rateSeconds = 120

// A shard is hot when, in one of the last hotSeconds seconds, it took hotShare of a write limit.
// Kinesis's write limits are per second, so the busiest second tells how near a shard came to
// being refused; a mean over the seconds would hide a burst that took 90% of a second's
// records behind nine idle seconds.
const (
	hotSeconds = 10
	hotShare   = 0.8
)

type shardRow struct {
	ID, Parents, StartHash, EndHash, StartSeq, EndSeq string
	Open, Hot, Throttled                              bool
	Throttle                                          string
	InRecords, InBytes, OutRecords, OutBytes          template.HTML
	InRate, OutRate                                   string // records/s over the last 10 s
	InPeak                                            int64  // records in the busiest of the last hotSeconds
	ThrottledRecent                                   int64
}

type streamData struct {
	base
	Summary   streamRow
	ARN       string
	Shards    []shardRow
	HashBar   template.HTML
	Lineage   template.HTML
	Rates     bool
	RatesErr  string
	Enforced  bool
	HotShards []string
	Throttled []string
}

func (c *Console) streamPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	name := r.PathValue("name")
	sum, err := c.client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: &name})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	shards, err := shardlist.List(ctx, c.client, name)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := streamData{base: c.base(name, name, "stream"), Summary: c.streamRowOf(ctx, sum.StreamDescriptionSummary), ARN: aws.ToString(sum.StreamDescriptionSummary.StreamARN)}
	rates := map[string]shardRate{}
	if c.admin != nil {
		rep, err := c.admin.shards(ctx, name, rateSeconds)
		if err != nil {
			d.RatesErr = err.Error()
		} else {
			d.Rates, d.Enforced = true, rep.LimitsEnforced
			for _, s := range rep.Shards {
				rates[s.ShardID] = s
			}
		}
	}
	boxes := shardBoxes(shards)
	for i := range boxes {
		sh, b := shards[i], &boxes[i]
		row := shardRow{ID: b.ID, Open: b.Open, StartHash: aws.ToString(sh.HashKeyRange.StartingHashKey), EndHash: aws.ToString(sh.HashKeyRange.EndingHashKey)}
		if sh.SequenceNumberRange != nil {
			row.StartSeq, row.EndSeq = aws.ToString(sh.SequenceNumberRange.StartingSequenceNumber), aws.ToString(sh.SequenceNumberRange.EndingSequenceNumber)
		}
		for j, p := range b.Parents {
			if j > 0 {
				row.Parents += ", "
			}
			row.Parents += p
		}
		if rt, ok := rates[b.ID]; ok {
			in, out := recent(rt.InRecords, 10), recent(rt.OutRecords, 10)
			row.InRate, row.OutRate = fmt.Sprintf("%.1f", in), fmt.Sprintf("%.1f", out)
			row.ThrottledRecent = rt.ThrottledRecent
			row.Throttled = rt.Throttle != nil || rt.ThrottledRecent > 0
			if rt.Throttle != nil {
				row.Throttle = describeThrottle(*rt.Throttle)
			}
			row.InPeak = peak(rt.InRecords, hotSeconds)
			row.Hot = b.Open && (over(row.InPeak, rt.Limits.WriteRecordsPerSecond) || over(peak(rt.InBytes, hotSeconds), rt.Limits.WriteBytesPerSecond))
			row.InRecords = sparkline(rt.InRecords, rt.Limits.WriteRecordsPerSecond, "in")
			row.InBytes = sparkline(rt.InBytes, rt.Limits.WriteBytesPerSecond, "in")
			row.OutRecords = sparkline(rt.OutRecords, 0, "out")
			row.OutBytes = sparkline(rt.OutBytes, rt.Limits.ReadBytesPerSecond, "out")
			b.Hot, b.Throttled = row.Hot, row.Throttled
			if row.Throttled {
				d.Throttled = append(d.Throttled, b.ID)
			} else if row.Hot {
				d.HotShards = append(d.HotShards, b.ID)
			}
		}
		d.Shards = append(d.Shards, row)
	}
	d.HashBar, d.Lineage = hashBar(boxes), lineage(boxes)
	c.render(w, r, http.StatusOK, "stream", d)
}

// peak is the largest of the last n seconds of a series.
func peak(series []int64, n int) int64 {
	var p int64
	for _, v := range series[max(len(series)-n, 0):] {
		p = max(p, v)
	}
	return p
}

// over tells whether a second's count reached hotShare of a limit; a limit the endpoint did not
// give (zero) is never reached.
func over(count int64, limit float64) bool {
	return limit > 0 && float64(count) >= hotShare*limit
}

// recent is the mean of the last n seconds of a series.
func recent(series []int64, n int) float64 {
	n = min(n, len(series))
	if n == 0 {
		return 0
	}
	var sum int64
	for _, v := range series[len(series)-n:] {
		sum += v
	}
	return float64(sum) / float64(n)
}

func describeThrottle(t throttleSpec) string {
	s := ""
	add := func(name string, v *float64) {
		if v != nil {
			if s != "" {
				s += ", "
			}
			s += fmt.Sprintf("%s %g/s", name, *v)
		}
	}
	add("writes", t.WriteRecordsPerSecond)
	add("write bytes", t.WriteBytesPerSecond)
	add("reads", t.ReadCallsPerSecond)
	return s
}

// shardBoxes places the shards for the pictures, in the order of shards: each at one more than
// the deepest of its parents.
func shardBoxes(shards []types.Shard) []shardBox {
	depth := map[string]int{}
	for _, sh := range shardlist.ParentsFirst(shards) {
		d := 0
		for _, p := range shardlist.Parents(sh) {
			if pd, ok := depth[p]; ok {
				d = max(d, pd+1)
			}
		}
		depth[aws.ToString(sh.ShardId)] = d
	}
	boxes := make([]shardBox, len(shards))
	for i, sh := range shards {
		id := aws.ToString(sh.ShardId)
		boxes[i] = shardBox{ID: id, Depth: depth[id], Open: !shardlist.Closed(sh), Parents: shardlist.Parents(sh)}
		if sh.HashKeyRange != nil {
			boxes[i].Start = hashFraction(aws.ToString(sh.HashKeyRange.StartingHashKey))
			boxes[i].End = hashFraction(aws.ToString(sh.HashKeyRange.EndingHashKey))
		}
	}
	return boxes
}

// splitShard splits a shard at the middle of its hash key range.
func (c *Console) splitShard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	name, id := r.PathValue("name"), r.PostForm.Get("shard")
	shards, err := shardlist.List(ctx, c.client, name)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	i := slices.IndexFunc(shards, func(sh types.Shard) bool { return aws.ToString(sh.ShardId) == id })
	if i < 0 || shards[i].HashKeyRange == nil {
		c.errorPage(w, r, http.StatusNotFound, fmt.Errorf("stream %s has no shard %q", name, id))
		return
	}
	start, _ := new(big.Int).SetString(aws.ToString(shards[i].HashKeyRange.StartingHashKey), 10)
	end, _ := new(big.Int).SetString(aws.ToString(shards[i].HashKeyRange.EndingHashKey), 10)
	if start == nil || end == nil || end.Cmp(start) <= 0 {
		c.errorPage(w, r, http.StatusBadRequest, fmt.Errorf("shard %s's hash key range cannot be split", id))
		return
	}
	mid := new(big.Int).Add(start, new(big.Int).Rsh(new(big.Int).Sub(new(big.Int).Add(end, big.NewInt(1)), start), 1))
	if _, err := c.client.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: &name, ShardToSplit: &id, NewStartingHashKey: aws.String(mid.String())}); err != nil {
		c.fail(w, r, err)
		return
	}
	c.redirect(w, r, "streams/"+url.PathEscape(name))
}
