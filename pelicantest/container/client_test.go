package container

import (
	"testing"

	"github.com/pelicanhq/pelican/internal/sdkhttp"
)

func TestClientHidesWriterTo(t *testing.T) {
	kc := newClient("eu-west-1", "http://127.0.0.1:4567")
	if !sdkhttp.Wrapped(kc.Options().HTTPClient) {
		t.Errorf("the container's client %T lacks the sdkhttp workaround", kc.Options().HTTPClient)
	}
	if got := kc.Options().Region; got != "eu-west-1" {
		t.Errorf("region %q", got)
	}
}
