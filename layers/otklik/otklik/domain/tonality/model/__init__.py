"""The shipped learned tonality layer (ru.otm) and its training manifest (ru.manifest.json), written by
`make model` (python -m otklik.entrypoints.build_model) from ../shared/datasets."""
