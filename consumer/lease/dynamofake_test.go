package lease_test

import (
	"context"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pelicanhq/pelican/consumer/lease"
)

// fakeDynamoDB is an in-memory DynamoDB of tables with a string hash key, enough for the lease
// store: GetItem, PutItem, UpdateItem (SET, REMOVE and ADD), DeleteItem, paged Scan, and
// condition expressions of comparisons, attribute_exists, attribute_not_exists, AND, OR, NOT and
// parentheses. Like DynamoDB it refuses expression names and values that are not used, and an
// update that names one attribute twice.
type fakeDynamoDB struct {
	mu       sync.Mutex
	tables   map[string]*fakeTable
	pageSize int // items per Scan page, so that paging is exercised
}

type fakeTable struct {
	key   string
	items map[string]map[string]types.AttributeValue
}

var _ lease.DynamoDBAPI = (*fakeDynamoDB)(nil)

func newFakeDynamoDB() *fakeDynamoDB {
	return &fakeDynamoDB{tables: map[string]*fakeTable{}, pageSize: 2}
}

func validation(format string, args ...any) error {
	return fmt.Errorf("ValidationException: "+format, args...)
}

func (f *fakeDynamoDB) table(name *string) (*fakeTable, error) {
	t, ok := f.tables[aws.ToString(name)]
	if !ok {
		return nil, &types.ResourceNotFoundException{Message: aws.String("Requested resource not found")}
	}
	return t, nil
}

func (t *fakeTable) keyOf(key map[string]types.AttributeValue) (string, error) {
	if len(key) != 1 {
		return "", validation("the key must name the hash key %s alone", t.key)
	}
	s, ok := key[t.key].(*types.AttributeValueMemberS)
	if !ok {
		return "", validation("the key attribute %s must be a string", t.key)
	}
	return s.Value, nil
}

func (f *fakeDynamoDB) CreateTable(_ context.Context, in *dynamodb.CreateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.TableName)
	if _, ok := f.tables[name]; ok {
		return nil, &types.ResourceInUseException{Message: aws.String("Table already exists: " + name)}
	}
	if len(in.KeySchema) != 1 || in.KeySchema[0].KeyType != types.KeyTypeHash {
		return nil, validation("the fake keeps tables with a hash key only")
	}
	f.tables[name] = &fakeTable{key: aws.ToString(in.KeySchema[0].AttributeName), items: map[string]map[string]types.AttributeValue{}}
	return &dynamodb.CreateTableOutput{}, nil
}

func (f *fakeDynamoDB) DescribeTable(_ context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.table(in.TableName); err != nil {
		return nil, err
	}
	return &dynamodb.DescribeTableOutput{Table: &types.TableDescription{TableName: in.TableName, TableStatus: types.TableStatusActive}}, nil
}

func (f *fakeDynamoDB) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.table(in.TableName)
	if err != nil {
		return nil, err
	}
	k, err := t.keyOf(in.Key)
	if err != nil {
		return nil, err
	}
	return &dynamodb.GetItemOutput{Item: maps.Clone(t.items[k])}, nil
}

func (f *fakeDynamoDB) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.table(in.TableName)
	if err != nil {
		return nil, err
	}
	k, err := t.keyOf(map[string]types.AttributeValue{t.key: in.Item[t.key]})
	if err != nil {
		return nil, err
	}
	ex := newExpr(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err := ex.check(aws.ToString(in.ConditionExpression), t.items[k]); err != nil {
		return nil, err
	}
	if err := ex.allUsed(); err != nil {
		return nil, err
	}
	t.items[k] = maps.Clone(in.Item)
	return &dynamodb.PutItemOutput{}, nil
}

func (f *fakeDynamoDB) DeleteItem(_ context.Context, in *dynamodb.DeleteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.table(in.TableName)
	if err != nil {
		return nil, err
	}
	k, err := t.keyOf(in.Key)
	if err != nil {
		return nil, err
	}
	ex := newExpr(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err := ex.check(aws.ToString(in.ConditionExpression), t.items[k]); err != nil {
		return nil, err
	}
	if err := ex.allUsed(); err != nil {
		return nil, err
	}
	delete(t.items, k)
	return &dynamodb.DeleteItemOutput{}, nil
}

func (f *fakeDynamoDB) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.table(in.TableName)
	if err != nil {
		return nil, err
	}
	k, err := t.keyOf(in.Key)
	if err != nil {
		return nil, err
	}
	old := t.items[k]
	ex := newExpr(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err := ex.check(aws.ToString(in.ConditionExpression), old); err != nil {
		return nil, err
	}
	item := maps.Clone(old)
	if item == nil {
		item = map[string]types.AttributeValue{t.key: &types.AttributeValueMemberS{Value: k}}
	}
	if err := ex.update(aws.ToString(in.UpdateExpression), item, t.key); err != nil {
		return nil, err
	}
	if err := ex.allUsed(); err != nil {
		return nil, err
	}
	t.items[k] = item
	out := &dynamodb.UpdateItemOutput{}
	if in.ReturnValues == types.ReturnValueAllNew {
		out.Attributes = maps.Clone(item)
	}
	return out, nil
}

func (f *fakeDynamoDB) Scan(_ context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, err := f.table(in.TableName)
	if err != nil {
		return nil, err
	}
	keys := slices.Sorted(maps.Keys(t.items))
	from := 0
	if in.ExclusiveStartKey != nil {
		k, err := t.keyOf(in.ExclusiveStartKey)
		if err != nil {
			return nil, err
		}
		from = sort.SearchStrings(keys, k)
		if from < len(keys) && keys[from] == k {
			from++
		}
	}
	to := min(from+f.pageSize, len(keys))
	out := &dynamodb.ScanOutput{}
	for _, k := range keys[from:to] {
		out.Items = append(out.Items, maps.Clone(t.items[k]))
	}
	if to < len(keys) {
		out.LastEvaluatedKey = map[string]types.AttributeValue{t.key: &types.AttributeValueMemberS{Value: keys[to-1]}}
	}
	return out, nil
}

// expr evaluates the expressions of one request against its names and values, noting which of
// them were used.
type expr struct {
	names      map[string]string
	values     map[string]types.AttributeValue
	usedNames  map[string]bool
	usedValues map[string]bool
}

func newExpr(names map[string]string, values map[string]types.AttributeValue) *expr {
	return &expr{names: names, values: values, usedNames: map[string]bool{}, usedValues: map[string]bool{}}
}

func (e *expr) allUsed() error {
	for n := range e.names {
		if !e.usedNames[n] {
			return validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", n)
		}
	}
	for v := range e.values {
		if !e.usedValues[v] {
			return validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", v)
		}
	}
	return nil
}

func (e *expr) attr(tok string) (string, error) {
	if !strings.HasPrefix(tok, "#") {
		if tok == "" || !unicode.IsLetter(rune(tok[0])) {
			return "", validation("bad attribute name %q", tok)
		}
		return tok, nil
	}
	n, ok := e.names[tok]
	if !ok {
		return "", validation("An expression attribute name used in the document path is not defined; attribute name: %s", tok)
	}
	e.usedNames[tok] = true
	return n, nil
}

func (e *expr) value(tok string) (types.AttributeValue, error) {
	v, ok := e.values[tok]
	if !ok {
		return nil, validation("An expression attribute value used in expression is not defined; attribute value: %s", tok)
	}
	e.usedValues[tok] = true
	return v, nil
}

// tokenize splits an expression into names, values, words and the punctuation ( ) , =.
func tokenize(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ':
			i++
		case strings.IndexByte("(),=", c) >= 0:
			out = append(out, string(c))
			i++
		case c == '<' && i+1 < len(s) && s[i+1] == '>':
			out = append(out, "<>")
			i += 2
		default:
			j := i
			for j < len(s) && strings.IndexByte(" (),=<", s[j]) < 0 {
				j++
			}
			out = append(out, s[i:j])
			i = j
		}
	}
	return out
}

// check evaluates a condition expression against item (nil when absent). An empty condition
// holds; a false one fails with ConditionalCheckFailedException.
func (e *expr) check(cond string, item map[string]types.AttributeValue) error {
	if cond == "" {
		return nil
	}
	p := &condParser{e: e, toks: tokenize(cond), item: item}
	ok, err := p.or()
	if err != nil {
		return err
	}
	if p.i != len(p.toks) {
		return validation("Invalid ConditionExpression: unexpected %q", p.toks[p.i])
	}
	if !ok {
		return &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}
	}
	return nil
}

type condParser struct {
	e    *expr
	toks []string
	i    int
	item map[string]types.AttributeValue
}

func (p *condParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *condParser) next() string {
	t := p.peek()
	p.i++
	return t
}

func (p *condParser) expect(t string) error {
	if got := p.next(); got != t {
		return validation("Invalid ConditionExpression: got %q, want %q", got, t)
	}
	return nil
}

func (p *condParser) or() (bool, error) {
	v, err := p.and()
	for err == nil && strings.EqualFold(p.peek(), "OR") {
		p.next()
		var w bool
		w, err = p.and()
		v = v || w
	}
	return v, err
}

func (p *condParser) and() (bool, error) {
	v, err := p.unary()
	for err == nil && strings.EqualFold(p.peek(), "AND") {
		p.next()
		var w bool
		w, err = p.unary()
		v = v && w
	}
	return v, err
}

func (p *condParser) unary() (bool, error) {
	switch t := p.peek(); {
	case strings.EqualFold(t, "NOT"):
		p.next()
		v, err := p.unary()
		return !v, err
	case t == "(":
		p.next()
		v, err := p.or()
		if err == nil {
			err = p.expect(")")
		}
		return v, err
	case t == "attribute_exists" || t == "attribute_not_exists":
		p.next()
		if err := p.expect("("); err != nil {
			return false, err
		}
		name, err := p.e.attr(p.next())
		if err != nil {
			return false, err
		}
		if err := p.expect(")"); err != nil {
			return false, err
		}
		_, present := p.item[name]
		return present == (t == "attribute_exists"), nil
	}
	a, err := p.operand()
	if err != nil {
		return false, err
	}
	op := p.next()
	if op != "=" && op != "<>" {
		return false, validation("Invalid ConditionExpression: operator %q", op)
	}
	b, err := p.operand()
	if err != nil {
		return false, err
	}
	return equalAV(a, b) == (op == "="), nil
}

func (p *condParser) operand() (types.AttributeValue, error) {
	t := p.next()
	if strings.HasPrefix(t, ":") {
		return p.e.value(t)
	}
	name, err := p.e.attr(t)
	if err != nil {
		return nil, err
	}
	return p.item[name], nil
}

// equalAV compares two values as DynamoDB does: same type, numbers by value. A missing value
// equals nothing.
func equalAV(a, b types.AttributeValue) bool {
	switch a := a.(type) {
	case *types.AttributeValueMemberS:
		b, ok := b.(*types.AttributeValueMemberS)
		return ok && a.Value == b.Value
	case *types.AttributeValueMemberN:
		b, ok := b.(*types.AttributeValueMemberN)
		if !ok {
			return false
		}
		x, ok1 := new(big.Float).SetString(a.Value)
		y, ok2 := new(big.Float).SetString(b.Value)
		return ok1 && ok2 && x.Cmp(y) == 0
	case nil:
		return false
	default:
		return false
	}
}

// update applies an update expression of SET, REMOVE and ADD clauses to item.
func (e *expr) update(u string, item map[string]types.AttributeValue, key string) error {
	toks := tokenize(u)
	seen := map[string]bool{}
	touch := func(name string) error {
		if name == key {
			return validation("Cannot update attribute %s. This attribute is part of the key", name)
		}
		if seen[name] {
			return validation("Invalid UpdateExpression: Two document paths overlap with each other; path one: [%s], path two: [%s]", name, name)
		}
		seen[name] = true
		return nil
	}
	clause := ""
	for i := 0; i < len(toks); {
		switch up := strings.ToUpper(toks[i]); up {
		case "SET", "REMOVE", "ADD":
			clause = up
			i++
			continue
		}
		if clause == "" {
			return validation("Invalid UpdateExpression: %q", u)
		}
		name, err := e.attr(toks[i])
		if err != nil {
			return err
		}
		if err := touch(name); err != nil {
			return err
		}
		i++
		switch clause {
		case "SET":
			if i+1 >= len(toks) || toks[i] != "=" {
				return validation("Invalid UpdateExpression: %q", u)
			}
			v, err := e.value(toks[i+1])
			if err != nil {
				return err
			}
			item[name] = v
			i += 2
		case "REMOVE":
			delete(item, name)
		case "ADD":
			if i >= len(toks) {
				return validation("Invalid UpdateExpression: %q", u)
			}
			v, err := e.value(toks[i])
			if err != nil {
				return err
			}
			i++
			n, ok := v.(*types.AttributeValueMemberN)
			if !ok {
				return validation("the fake ADDs numbers only")
			}
			sum, ok := new(big.Int).SetString(n.Value, 10)
			if !ok {
				return validation("bad number %q", n.Value)
			}
			switch old := item[name].(type) {
			case nil:
			case *types.AttributeValueMemberN:
				o, ok := new(big.Int).SetString(old.Value, 10)
				if !ok {
					return validation("bad number %q", old.Value)
				}
				sum.Add(sum, o)
			default:
				return validation("An operand in the update expression has an incorrect data type")
			}
			item[name] = &types.AttributeValueMemberN{Value: sum.String()}
		}
		if i < len(toks) && toks[i] == "," {
			i++
		}
	}
	return nil
}
