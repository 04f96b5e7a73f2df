package harness

import (
	"context"
	"fmt"
	"os"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/pelicanhq/pelican/contract"
)

// TypeResolver finds event types by their full names; protoregistry.GlobalTypes and the
// *protoregistry.Types of LoadTypes are two.
type TypeResolver interface {
	protoregistry.MessageTypeResolver
	protoregistry.ExtensionTypeResolver
}

// LoadTypes compiles the schemas at path and returns their types, as dynamic messages: path is
// a directory of .proto files (laid out by its pelican.yaml or buf.yaml, if it has one), or a
// FileDescriptorSet or buf image file.
func LoadTypes(ctx context.Context, path string) (*protoregistry.Types, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("harness: schemas: %w", err)
	}
	var schema *contract.Schema
	if st.IsDir() {
		cfg, err := contract.FindConfig(path)
		if err != nil {
			return nil, fmt.Errorf("harness: schemas: %w", err)
		}
		if schema, err = contract.LoadDir(ctx, path, cfg); err != nil {
			return nil, fmt.Errorf("harness: schemas in %s: %w", path, err)
		}
	} else if schema, err = contract.LoadImage(path); err != nil {
		return nil, fmt.Errorf("harness: schemas in %s: %w", path, err)
	}
	return TypesFromSchema(schema)
}

// TypesFromSchema returns the messages, enums and extensions of a compiled schema, imports
// included, as dynamic types.
func TypesFromSchema(s *contract.Schema) (*protoregistry.Types, error) {
	types := new(protoregistry.Types)
	for _, f := range s.Files() {
		if err := registerFile(types, f.Descriptor()); err != nil {
			return nil, fmt.Errorf("harness: %s: %w", f.Path, err)
		}
	}
	return types, nil
}

// declarations is what files and messages have in common: nested declarations.
type declarations interface {
	Messages() protoreflect.MessageDescriptors
	Enums() protoreflect.EnumDescriptors
	Extensions() protoreflect.ExtensionDescriptors
}

func registerFile(types *protoregistry.Types, d declarations) error {
	for i := 0; i < d.Enums().Len(); i++ {
		if err := types.RegisterEnum(dynamicpb.NewEnumType(d.Enums().Get(i))); err != nil {
			return err
		}
	}
	for i := 0; i < d.Extensions().Len(); i++ {
		if err := types.RegisterExtension(dynamicpb.NewExtensionType(d.Extensions().Get(i))); err != nil {
			return err
		}
	}
	for i := 0; i < d.Messages().Len(); i++ {
		md := d.Messages().Get(i)
		if !md.IsMapEntry() {
			if err := types.RegisterMessage(dynamicpb.NewMessageType(md)); err != nil {
				return err
			}
		}
		if err := registerFile(types, md); err != nil {
			return err
		}
	}
	return nil
}
