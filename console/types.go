package console

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/pelicanhq/pelican/contract"
)

// schemas are the event types the console knows: those of --proto, then those linked into the
// program.
type schemas struct {
	loaded *dynamicpb.Types // nil without --proto
	extra  Resolver         // WithTypes
	names  []string         // message names of the loaded schemas' own files, for the publish form
}

// loadSchemas compiles the schemas at path with package contract.
func loadSchemas(ctx context.Context, path string) (*schemas, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	var schema *contract.Schema
	if st.IsDir() {
		cfg, err := contract.FindConfig(path)
		if err != nil {
			return nil, err
		}
		if schema, err = contract.LoadDir(ctx, path, cfg); err != nil {
			return nil, err
		}
	} else if schema, err = contract.LoadImage(path); err != nil {
		return nil, err
	}
	files := new(protoregistry.Files)
	out := &schemas{}
	for _, f := range schema.Files() {
		if err := files.RegisterFile(f.Descriptor()); err != nil {
			return nil, fmt.Errorf("%s: %w", f.Path, err)
		}
		if !f.Import {
			collectMessages(f.Descriptor().Messages(), &out.names)
		}
	}
	if len(out.names) == 0 {
		return nil, errors.New("no message types in the schemas")
	}
	sort.Strings(out.names)
	out.loaded = dynamicpb.NewTypes(files)
	return out, nil
}

func collectMessages(ms protoreflect.MessageDescriptors, names *[]string) {
	for i := range ms.Len() {
		m := ms.Get(i)
		if m.IsMapEntry() {
			continue
		}
		*names = append(*names, string(m.FullName()))
		collectMessages(m.Messages(), names)
	}
}

// FindMessageByName looks in the loaded schemas, then WithTypes, then the linked types.
func (s *schemas) FindMessageByName(name protoreflect.FullName) (protoreflect.MessageType, error) {
	if s.loaded != nil {
		if mt, err := s.loaded.FindMessageByName(name); err == nil {
			return mt, nil
		}
	}
	if s.extra != nil {
		if mt, err := s.extra.FindMessageByName(name); err == nil {
			return mt, nil
		}
	}
	return protoregistry.GlobalTypes.FindMessageByName(name)
}

// FindMessageByURL is FindMessageByName for an Any's type URL.
func (s *schemas) FindMessageByURL(url string) (protoreflect.MessageType, error) {
	name := url
	if i := strings.LastIndexByte(url, '/'); i >= 0 {
		name = url[i+1:]
	}
	return s.FindMessageByName(protoreflect.FullName(name))
}

// FindExtensionByName looks in the loaded schemas, then the linked types.
func (s *schemas) FindExtensionByName(field protoreflect.FullName) (protoreflect.ExtensionType, error) {
	if s.loaded != nil {
		if xt, err := s.loaded.FindExtensionByName(field); err == nil {
			return xt, nil
		}
	}
	return protoregistry.GlobalTypes.FindExtensionByName(field)
}

// FindExtensionByNumber looks in the loaded schemas, then the linked types.
func (s *schemas) FindExtensionByNumber(message protoreflect.FullName, field protoreflect.FieldNumber) (protoreflect.ExtensionType, error) {
	if s.loaded != nil {
		if xt, err := s.loaded.FindExtensionByNumber(message, field); err == nil {
			return xt, nil
		}
	}
	return protoregistry.GlobalTypes.FindExtensionByNumber(message, field)
}

// typeNames lists the event types the publish form offers: the loaded schemas' messages, or
// without --proto the linked messages outside google.protobuf and pelican.v1.
func (s *schemas) typeNames() []string {
	if len(s.names) > 0 {
		return s.names
	}
	var names []string
	protoregistry.GlobalTypes.RangeMessages(func(mt protoreflect.MessageType) bool {
		n := string(mt.Descriptor().FullName())
		if !strings.HasPrefix(n, "google.") && !strings.HasPrefix(n, "pelican.v1.") && !mt.Descriptor().IsMapEntry() {
			names = append(names, n)
		}
		return true
	})
	sort.Strings(names)
	return names
}
