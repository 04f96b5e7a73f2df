package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/pelicanhq/pelican/internal/shardlist"
)

// streamsPerPage is how many streams a page of the streams list shows.
const streamsPerPage = 20

type streamRow struct {
	Name, Mode, Status, Encryption string
	Open, Closed                   int
	RetentionHours                 int32
	MaxRecordKiB                   int32
	Consumers                      int32
	Tags                           []string
	Err                            string
}

type streamsData struct {
	base
	Query      string
	Rows       []streamRow
	Page       int
	PrevURL    string
	NextURL    string
	Total      int
	CreateErr  string
	CreateName string
}

func (c *Console) streamsPage(w http.ResponseWriter, r *http.Request) {
	c.renderStreams(w, r, http.StatusOK, "", "")
}

func (c *Console) renderStreams(w http.ResponseWriter, r *http.Request, status int, createErr, createName string) {
	ctx := r.Context()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	var names []string
	p := kinesis.NewListStreamsPaginator(c.client, &kinesis.ListStreamsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		for _, n := range out.StreamNames {
			if q == "" || strings.Contains(strings.ToLower(n), strings.ToLower(q)) {
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	page, from, to := pageRange(r.URL.Query().Get("page"), streamsPerPage, len(names))
	d := streamsData{base: c.base("Streams", "", "streams"), Query: q, Page: page, Total: len(names), CreateErr: createErr, CreateName: createName}
	for _, n := range names[from:to] {
		d.Rows = append(d.Rows, c.streamRow(r, n))
	}
	link := func(p int) string {
		v := url.Values{"page": {strconv.Itoa(p)}}
		if q != "" {
			v.Set("q", q)
		}
		return c.cfg.prefix + "?" + v.Encode()
	}
	if page > 1 {
		d.PrevURL = link(page - 1)
	}
	if to < len(names) {
		d.NextURL = link(page + 1)
	}
	c.render(w, r, status, "streams", d)
}

// pageRange reads a ?page= value (1 when missing or not a number) and answers the page and the
// range of a list of total items that it shows, perPage to a page. A page past the end is
// empty; no page number, however large, overflows the range.
func pageRange(raw string, perPage, total int) (page, from, to int) {
	page, _ = strconv.Atoi(raw)
	page = max(page, 1)
	if page-1 > total/perPage {
		return page, total, total
	}
	from = min((page-1)*perPage, total)
	return page, from, min(from+perPage, total)
}

func (c *Console) streamRow(r *http.Request, name string) streamRow {
	ctx := r.Context()
	row := streamRow{Name: name}
	sum, err := c.client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: &name})
	if err != nil {
		row.Err = err.Error()
		return row
	}
	return c.streamRowOf(ctx, sum.StreamDescriptionSummary)
}

// streamRowOf completes a stream's summary with its closed shards and tags.
func (c *Console) streamRowOf(ctx context.Context, s *types.StreamDescriptionSummary) streamRow {
	name := aws.ToString(s.StreamName)
	row := streamRow{Name: name}
	row.Status, row.Encryption = string(s.StreamStatus), string(s.EncryptionType)
	if s.StreamModeDetails != nil {
		row.Mode = string(s.StreamModeDetails.StreamMode)
	}
	row.Open = int(aws.ToInt32(s.OpenShardCount))
	row.RetentionHours, row.Consumers, row.MaxRecordKiB = aws.ToInt32(s.RetentionPeriodHours), aws.ToInt32(s.ConsumerCount), aws.ToInt32(s.MaxRecordSizeInKiB)
	if shards, err := shardlist.List(ctx, c.client, name); err == nil {
		row.Closed = len(shards) - row.Open
	}
	if tags, err := c.client.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: &name}); err == nil {
		for _, t := range tags.Tags {
			row.Tags = append(row.Tags, aws.ToString(t.Key)+"="+aws.ToString(t.Value))
		}
	}
	return row
}

func (c *Console) createStream(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	in := &kinesis.CreateStreamInput{StreamName: &name}
	if r.PostForm.Get("mode") == string(types.StreamModeOnDemand) {
		in.StreamModeDetails = &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}
	} else {
		// 32 bits, as the API's ShardCount: a larger number must not wrap to a small one.
		n, err := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("shards")), 10, 32)
		if err != nil || n < 1 {
			c.renderStreams(w, r, http.StatusBadRequest, "shards must be a positive whole number", name)
			return
		}
		in.ShardCount = aws.Int32(int32(n))
	}
	if _, err := c.client.CreateStream(r.Context(), in); err != nil {
		c.renderStreams(w, r, http.StatusBadRequest, err.Error(), name)
		return
	}
	c.redirect(w, r, "streams/"+url.PathEscape(name))
}

func (c *Console) deleteStream(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if r.PostForm.Get("confirm") != name {
		c.errorPage(w, r, http.StatusBadRequest, fmt.Errorf("type the stream's name %q to confirm its deletion", name))
		return
	}
	if _, err := c.client.DeleteStream(r.Context(), &kinesis.DeleteStreamInput{StreamName: &name, EnforceConsumerDeletion: aws.Bool(true)}); err != nil {
		c.fail(w, r, err)
		return
	}
	c.redirect(w, r, "")
}
