// Command dcv computes CSR validation hashes, builds Domain Control
// Validation challenges, verifies them over DNS and HTTP, and checks CAA,
// using only the public API of github.com/dcvkit/dcv.
//
// Why: an applicant stuck on a refused validation, or a CA operator
// answering one, needs to see exactly what to publish and what the CA's
// check sees — the record or file, the values found, each authoritative
// server's answer, the CAA record that forbids issuance — with a hint that
// says what to fix. The exit status makes the same checks scriptable, and
// the --json forms carry the evidence a CA keeps.
//
//	dcv hash [--json] [--ca D] [--token T] [--domain D] CSR_FILE|-
//	dcv challenge --method M [--csr FILE] [--ca D] [--token T] [--account-key FILE] [--json] DOMAIN...
//	dcv verify dns-txt --name FQDN --value V
//	dcv verify dns-cname --name FQDN --target T
//	dcv verify file --url URL [--url URL ...] (--content S | --content-file F)
//	dcv verify --challenge FILE [--code C]
//	dcv caa --ca NAME[,NAME] [--wildcard] [--account-uri U] [--method M] DOMAIN...
//
// Exit status: 0 success, verified or permitted; 1 not verified or
// forbidden; 2 could not decide or bad input (message on stderr); 64 usage
// error. With several names the worst status wins. Flags may come before
// or after the positional arguments; --json prints one JSON object per name
// (JSON Lines). verify and caa take --resolver IP:PORT[,IP:PORT]; without
// it they use the resolvers of /etc/resolv.conf.
//
// Layout: one file per subcommand, each registered in commands() (main.go)
// and parsing its flags with newFlags/parse (flags.go), which allow flags
// after positional arguments and map -h and usage errors to 0 and 64.
package main
