"""The shape of every error the API answers, for the OpenAPI document (the bodies themselves are
written by web/common/errors.error_json)."""

from __future__ import annotations

import marshmallow as ma


class ErrorBody(ma.Schema):
    code = ma.fields.Integer(required=True, metadata={"description": "The HTTP status"})
    status = ma.fields.String(required=True, metadata={"description": "Its name"})
    message = ma.fields.String(metadata={"description": "What went wrong, in Indonesian"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        metadata={"description": "Per argument, what is wrong with it"},
    )
