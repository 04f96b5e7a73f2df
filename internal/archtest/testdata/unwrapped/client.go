package unwrapped

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

func clients(cfg aws.Config) (*kinesis.Client, *ddb.Client) {
	return kinesis.NewFromConfig(cfg), ddb.New(ddb.Options{})
}
