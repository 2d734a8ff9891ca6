"""The domain: models and rules as plain Python. No boto3, no environment, no clock (`now` is passed in)."""
