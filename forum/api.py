"""PLACEHOLDER: the JSON API is built in its own step."""


def register(api):
    return api
