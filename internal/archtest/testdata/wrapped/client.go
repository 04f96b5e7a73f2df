package wrapped

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"example.com/m/internal/sdkhttp"
)

func client(cfg aws.Config) *kinesis.Client {
	cfg.HTTPClient = sdkhttp.Wrap(cfg.HTTPClient)
	return kinesis.NewFromConfig(cfg)
}
