"""The topic lexicon's sources (ru_*.tsv, en_*.tsv, written by hand) and the tables `make lexicon` builds."""
