package contract

import (
	"fmt"
	"os"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
)

// Field numbers of buf's image extension on a file descriptor (buf.alpha.image.v1.ImageFile).
const (
	bufImageExtensionTag = 8042
	bufImageIsImportTag  = 1
)

// LoadImage reads a FileDescriptorSet (or a buf image, which shares its encoding) from path:
// binary protobuf, or protobuf JSON when the name ends in .json.
func LoadImage(path string) (*Schema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := ParseImage(data, strings.HasSuffix(path, ".json"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// ParseImage decodes a FileDescriptorSet or buf image, binary or (asJSON) protobuf JSON, and
// builds its Schema.
func ParseImage(data []byte, asJSON bool) (*Schema, error) {
	set := new(descriptorpb.FileDescriptorSet)
	var err error
	if asJSON {
		err = protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(data, set)
	} else {
		err = proto.Unmarshal(data, set)
	}
	if err != nil {
		return nil, fmt.Errorf("not a FileDescriptorSet: %w", err)
	}
	return SchemaFromFileDescriptorSet(set)
}

// imageFileIsImport reads buf's is_import flag, which survives decoding as unknown bytes.
func imageFileIsImport(fdp *descriptorpb.FileDescriptorProto) bool {
	b := fdp.ProtoReflect().GetUnknown()
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return false
		}
		b = b[n:]
		if num == bufImageExtensionTag && typ == protowire.BytesType {
			ext, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return false
			}
			return boolField(ext, bufImageIsImportTag)
		}
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return false
		}
		b = b[m:]
	}
	return false
}

func boolField(b []byte, want protowire.Number) bool {
	value := false
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return false
		}
		b = b[n:]
		if num == want && typ == protowire.VarintType {
			v, m := protowire.ConsumeVarint(b)
			if m < 0 {
				return false
			}
			value = v != 0
			b = b[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return false
		}
		b = b[m:]
	}
	return value
}
