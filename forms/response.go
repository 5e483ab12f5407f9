package forms

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Response is one validated submission to one version of a form.
type Response struct {
	// ID is derived from the form and the submission id, so a phone that
	// sends the same submission twice cannot create two responses.
	ID           string
	FormID       string
	FormVersion  int
	SubmissionID string
	// Partnership, Activity and Wave place a response; Partner names the
	// organisation that answered a partner survey. Empty when unknown.
	Partnership string
	Activity    string
	Wave        string
	Partner     string
	Lang        string
	Answers     Answers
	// Scores are computed when the response is stored, so indicators never
	// recompute raw answers.
	Scores Scores
	// Fingerprint identifies the answers, so a retried submission can be
	// told from a different one that reuses its submission id.
	Fingerprint string
	SubmittedAt time.Time
}

// NewResponse builds the response to f that carries validated answers.
func NewResponse(f *Form, submissionID, lang string, answers Answers, now time.Time) Response {
	return Response{
		ID:           ResponseID(f.ID, submissionID),
		FormID:       f.ID,
		FormVersion:  f.Version,
		SubmissionID: submissionID,
		Lang:         lang,
		Answers:      answers,
		Scores:       f.Score(answers),
		Fingerprint:  fingerprint(answers),
		SubmittedAt:  now.UTC().Truncate(time.Second),
	}
}

// ErrReplacedMeanwhile is returned when another request replaced the same
// answer at the same moment; the caller may try again.
var ErrReplacedMeanwhile = errors.New("the answer was replaced meanwhile")

// ResponseID is the id of the response a submission to a form creates.
func ResponseID(formID, submissionID string) string {
	return formID + ":" + submissionID
}

// PartnerResponseID is the id of a partner's answer to a wave: one per
// partner and wave, so answering again replaces it.
func PartnerResponseID(wave, partner string) string {
	return wave + ":" + partner
}

// SameAs reports whether o carries the same answers to the same form
// version, as a retry of r would.
func (r Response) SameAs(o Response) bool {
	return r.FormVersion == o.FormVersion && r.Fingerprint == o.Fingerprint
}

func fingerprint(a Answers) string {
	// encoding/json writes map keys sorted, so equal answers encode equally.
	b, err := json.Marshal(a)
	if err != nil {
		// Answers hold only ints and strings, which always encode.
		panic(fmt.Sprintf("encode answers: %v", err))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
