package perspective

import "errors"

// Errors. Every error this package returns wraps one of them: match with
// errors.Is. Remote refusals arrive as *RemoteError, which wraps the
// sentinel named by the handler's error code.
var (
	// A check that cannot be run: unknown kind, missing or conflicting
	// parts, an invalid challenge, name or URL, or a size over the limits.
	ErrBadCheck = errors.New("perspective: bad check")

	// Wire protocol refusals (the handler's error codes in parentheses).
	ErrBadRequest      = errors.New("perspective: malformed request")                        // bad_request
	ErrVersion         = errors.New("perspective: unsupported protocol version")             // version
	ErrUnauthenticated = errors.New("perspective: request not authenticated")                // unauthenticated
	ErrMisdirected     = errors.New("perspective: request addressed to another perspective") // misdirected
	ErrStale           = errors.New("perspective: request timestamp outside window")         // stale
	ErrReplay          = errors.New("perspective: request replayed")                         // replay
	ErrTooLarge        = errors.New("perspective: request body over the limit")              // too_large
	ErrBusy            = errors.New("perspective: remote perspective busy, retry later")     // busy
	ErrUnsupported     = errors.New("perspective: check kind not served here")               // unsupported
	ErrServer          = errors.New("perspective: remote perspective failed")                // server
	ErrBadResponse     = errors.New("perspective: bad response from remote perspective")
	ErrUnreachable     = errors.New("perspective: remote perspective unreachable")
	ErrWeakKey         = errors.New("perspective: key shorter than 32 bytes")
	ErrKeyFileMode     = errors.New("perspective: key file accessible by group or others")

	// Corroborator: misconfiguration (no primary, no remotes, duplicate labels).
	ErrConfig = errors.New("perspective: bad corroborator configuration")

	// Not corroborated. Run's error wraps ErrNotCorroborated and one or
	// more of the specific reasons.
	ErrNotCorroborated = errors.New("perspective: not corroborated")
	ErrPrimaryFailed   = errors.New("primary perspective did not pass")
	ErrQuorum          = errors.New("too many remote perspectives did not corroborate")
	ErrPolicy          = errors.New("policy minimums not met")
)

// Handler error codes on the wire, and the sentinels they stand for.
const (
	codeBadRequest      = "bad_request"
	codeVersion         = "version"
	codeUnauthenticated = "unauthenticated"
	codeMisdirected     = "misdirected"
	codeStale           = "stale"
	codeReplay          = "replay"
	codeTooLarge        = "too_large"
	codeBusy            = "busy"
	codeUnsupported     = "unsupported"
	codeServer          = "server"
)

func errorForCode(code string) error {
	switch code {
	case codeBadRequest:
		return ErrBadRequest
	case codeVersion:
		return ErrVersion
	case codeUnauthenticated:
		return ErrUnauthenticated
	case codeMisdirected:
		return ErrMisdirected
	case codeStale:
		return ErrStale
	case codeReplay:
		return ErrReplay
	case codeTooLarge:
		return ErrTooLarge
	case codeBusy:
		return ErrBusy
	case codeUnsupported:
		return ErrUnsupported
	}
	return ErrServer
}
