package diagnose

// ContentIssues exposes contentIssues to the external tests.
var ContentIssues = contentIssues
