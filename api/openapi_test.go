package api

import (
	"encoding/json"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"samspil/access"
	"samspil/indicators"
	"samspil/partnership"
	"samspil/theory"
)

type openAPIOperation struct {
	Security []map[string][]string `json:"security"`
	Roles    []access.Role         `json:"x-roles"`
}

// The document is written by hand, so this test holds it to the code:
// every route is documented with its access rule, and nothing else is.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	var doc struct {
		OpenAPI string                                 `json:"openapi"`
		Paths   map[string]map[string]openAPIOperation `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	registered := map[string]bool{}
	for _, r := range (&server{}).routes() {
		path := openAPIPath(r.path)
		method := strings.ToLower(r.method)
		registered[method+" "+path] = true
		op, ok := doc.Paths[path][method]
		if !ok {
			t.Errorf("%s %s is registered but not in openapi.json", r.method, path)
			continue
		}
		if r.rule.Public != (len(op.Security) == 0) {
			t.Errorf("%s %s: public %v, but openapi.json security is %v", r.method, path, r.rule.Public, op.Security)
		}
		if !slices.Equal(r.rule.Roles, op.Roles) {
			t.Errorf("%s %s: roles %v, but openapi.json x-roles is %v", r.method, path, r.rule.Roles, op.Roles)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !registered[method+" "+path] {
				t.Errorf("openapi.json documents %s %s, which is not registered", strings.ToUpper(method), path)
			}
		}
	}
}

// openAPIPath is a route's path as the document writes it: {pid} for :pid,
// and a colon where the route escapes one.
func openAPIPath(path string) string {
	param := regexp.MustCompile(`:(\w+)`)
	return strings.ReplaceAll(param.ReplaceAllString(strings.ReplaceAll(path, `\:`, "\x00"), "{$1}"), "\x00", ":")
}

// Every operation has a unique operationId, for clients generated from the
// document; says which security it needs, an empty list for a public route
// so that no key is asked for; and gives every JSON body it takes a schema.
func TestOpenAPIOperationsAreComplete(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string                 `json:"operationId"`
			Security    *[]map[string][]string `json:"security"`
			RequestBody *struct {
				Content map[string]struct {
					Schema json.RawMessage `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	rules := map[string]access.Rule{}
	for _, r := range (&server{}).routes() {
		rules[strings.ToLower(r.method)+" "+openAPIPath(r.path)] = r.rule
	}
	camelCase := regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)
	ids := map[string]string{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			where := strings.ToUpper(method) + " " + path
			switch id := op.OperationID; {
			case id == "":
				t.Errorf("%s has no operationId", where)
			case !camelCase.MatchString(id):
				t.Errorf("%s: operationId %q is not camelCase", where, id)
			case ids[id] != "":
				t.Errorf("%s: operationId %q is %s's too", where, id, ids[id])
			default:
				ids[id] = where
			}
			rule, registered := rules[method+" "+path]
			switch {
			case !registered:
				// TestOpenAPIDescribesEveryRoute reports it.
			case op.Security == nil && rule.Public:
				t.Errorf("%s is public but does not say so with security: []", where)
			case op.Security == nil:
				t.Errorf("%s needs a key but has no security", where)
			case rule.Public && len(*op.Security) > 0:
				t.Errorf("%s is public, but its security is %v", where, *op.Security)
			case !rule.Public && !reflect.DeepEqual(*op.Security, []map[string][]string{{"apiKey": {}}}):
				t.Errorf("%s needs a key, but its security is %v", where, *op.Security)
			}
			if op.RequestBody == nil {
				continue
			}
			for media, c := range op.RequestBody.Content {
				if strings.HasSuffix(media, "json") && (len(c.Schema) == 0 || string(c.Schema) == "null") {
					t.Errorf("%s takes %s without a schema", where, media)
				}
			}
		}
	}
}

// decodedBodies are the structs the handlers decode JSON bodies into, by
// the operationId that takes them.
var decodedBodies = map[string]any{
	"submitResponse":    submission{},
	"createKey":         keyRequest{},
	"createPartnership": partnershipInput{},
	"updatePartnership": partnershipInput{},
	"createPartner":     partnerInput{},
	"updatePartner":     partnerInput{},
	"createActivity":    activityInput{},
	"updateActivity":    activityInput{},
	"createWave":        waveInput{},
	"updateWave":        remindersInput{},
	"answerInvitation":  answerBody{},
	"saveTheory":        theoryInput{},
}

// notDecodedBodies take a JSON body that decodeJSON does not read.
var notDecodedBodies = map[string]string{
	"publishForm": "forms.Decode reads the definition, which forms/builtin/*.json shows",
}

// responseSchemas are the document's schemas of what handlers reply, and
// the values they reply with.
var responseSchemas = map[string]any{
	"Partnership":   partnership.Partnership{},
	"Partner":       partnership.Partner{},
	"Activity":      partnership.Activity{},
	"Wave":          waveView{},
	"AuditEntry":    partnership.AuditEntry{},
	"ImportRow":     importRow{},
	"Invitee":       indicators.Invitee{},
	"WaveStatus":    indicators.Rates{},
	"CitizenLink":   citizenLink{},
	"Invitation":    invitationView{},
	"Receipt":       receipt{},
	"FormListing":   formListing{},
	"MailEntry":     mailEntry{},
	"Theory":        theory.Theory{},
	"TheoryElement": theory.Element{},
	"TheoryArrow":   theory.Arrow{},
	"TheoryMeasure": theory.Measure{},
	"TheoryTarget":  theory.Target{},
	"TheoryVersion": theoryVersion{},
	"TheoryChanges": theory.Changes{},
}

// Each JSON body's schema names exactly the fields its struct decodes,
// refuses any other field as decodeJSON does, requires what the validate
// tags require and lists the values that oneof and Sector allow; each
// reply's schema names exactly the fields of the value sent. A field added
// to the code and not to the document fails here.
func TestOpenAPISchemasMatchTheCode(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	seen := map[string]bool{}
	for path, ops := range doc["paths"].(map[string]any) {
		for method, raw := range ops.(map[string]any) {
			op := raw.(map[string]any)
			id, _ := op["operationId"].(string)
			body, _ := op["requestBody"].(map[string]any)
			content, _ := body["content"].(map[string]any)
			media, ok := content["application/json"].(map[string]any)
			if !ok {
				continue
			}
			where := strings.ToUpper(method) + " " + path
			if _, ok := notDecodedBodies[id]; ok {
				continue
			}
			v, ok := decodedBodies[id]
			if !ok {
				t.Errorf("%s (%s) takes JSON, but decodedBodies does not say into what", where, id)
				continue
			}
			seen[id] = true
			schema, _ := media["schema"].(map[string]any)
			checkBodySchema(t, doc, where, schema, reflect.TypeOf(v))
		}
	}
	for id := range decodedBodies {
		if !seen[id] {
			t.Errorf("decodedBodies names %s, which takes no JSON body in openapi.json", id)
		}
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for name, v := range responseSchemas {
		schema, ok := schemas[name].(map[string]any)
		if !ok {
			t.Errorf("openapi.json has no schema %s", name)
			continue
		}
		props, _, _ := resolveSchema(doc, schema)
		if got, want := slices.Sorted(maps.Keys(props)), jsonFieldNames(reflect.TypeOf(v)); !slices.Equal(got, want) {
			t.Errorf("schema %s has the properties %v, but %T sends %v", name, got, v, want)
		}
	}
}

// checkBodySchema holds the schema of a decoded body, and of each struct
// within it, to the struct.
func checkBodySchema(t *testing.T, doc map[string]any, where string, schema map[string]any, typ reflect.Type) {
	t.Helper()
	props, required, closed := resolveSchema(doc, schema)
	if got, want := slices.Sorted(maps.Keys(props)), jsonFieldNames(typ); !slices.Equal(got, want) {
		t.Errorf("%s: the schema has the properties %v, but %s decodes %v", where, got, typ, want)
	}
	if !closed {
		t.Errorf("%s: decodeJSON refuses unknown fields, but the schema lacks additionalProperties: false", where)
	}
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		prop, _ := props[name].(map[string]any)
		if prop == nil {
			continue
		}
		tags := strings.Split(f.Tag.Get("validate"), ",")
		if slices.Contains(tags, "required") && !slices.Contains(required, name) {
			t.Errorf("%s: %s is required by its validate tag, but not by the schema", where, name)
		}
		resolved := deref(doc, prop)
		var want []string
		for _, tag := range tags {
			if values, ok := strings.CutPrefix(tag, "oneof="); ok {
				want = strings.Fields(values)
			}
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft == reflect.TypeOf(partnership.Sector("")) {
			for _, s := range partnership.Sectors {
				want = append(want, string(s))
			}
		}
		if want != nil {
			var got []string
			for _, v := range asSlice(resolved["enum"]) {
				s, _ := v.(string)
				got = append(got, s)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: %s allows %v, but the schema's enum is %v", where, name, want, got)
			}
		}
		if ft.Kind() == reflect.Struct && ft != reflect.TypeOf(time.Time{}) {
			checkBodySchema(t, doc, where+" "+name, prop, ft)
		}
	}
}

// resolveSchema gathers an object schema's properties, required fields and
// whether it refuses other properties, through $ref and allOf.
func resolveSchema(doc, schema map[string]any) (props map[string]any, required []string, closed bool) {
	schema = deref(doc, schema)
	props = map[string]any{}
	for _, part := range asSlice(schema["allOf"]) {
		p, r, c := resolveSchema(doc, part.(map[string]any))
		maps.Copy(props, p)
		required = append(required, r...)
		closed = closed || c
	}
	if p, ok := schema["properties"].(map[string]any); ok {
		maps.Copy(props, p)
	}
	for _, r := range asSlice(schema["required"]) {
		required = append(required, r.(string))
	}
	if ap, ok := schema["additionalProperties"].(bool); ok && !ap {
		closed = true
	}
	return props, required, closed
}

// deref follows a schema's $ref within the document.
func deref(doc, schema map[string]any) map[string]any {
	for {
		ref, ok := schema["$ref"].(string)
		if !ok {
			return schema
		}
		var node any = doc
		for _, key := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			node = node.(map[string]any)[key]
		}
		schema = node.(map[string]any)
	}
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// jsonFieldNames lists, sorted, the names encoding/json gives a struct's
// fields, those of embedded structs included.
func jsonFieldNames(typ reflect.Type) []string {
	var names []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported():
		case f.Anonymous && name == "":
			names = append(names, jsonFieldNames(f.Type)...)
		case name == "":
			names = append(names, f.Name)
		default:
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// The app must register exactly the routes of the table, each behind its rule.
func TestAppRegistersTheRouteTable(t *testing.T) {
	ta := newTestAPI(t, testStore(t))
	want := map[string]bool{}
	for _, r := range (&server{}).routes() {
		want[r.method+" "+r.path] = true
	}
	for _, r := range ta.app.GetRoutes(true) {
		if r.Method == "HEAD" || r.Path == "/" {
			continue
		}
		if !want[r.Method+" "+r.Path] {
			t.Errorf("%s %s is registered outside the route table", r.Method, r.Path)
		}
		delete(want, r.Method+" "+r.Path)
	}
	for r := range want {
		t.Errorf("%s is in the route table but not registered", r)
	}
}
