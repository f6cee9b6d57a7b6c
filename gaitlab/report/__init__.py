"""Reports and exports: the PDF report, data exports (CSV, JSON, TRC) and the annotated video.

De-identified by default: the pseudonymous patient ID only (a name only when
asked for), no video file names, faces blurred.
"""
