from __future__ import annotations

import pytest
from pydantic import BaseModel

from shelfmind.errors import ValidationFailed
from shelfmind.llm.prompts import Prompt
from shelfmind.llm.providers.fake import FakeLLM
from shelfmind.llm.structured import complete, extract_json

PROMPT = Prompt(name="t", version="3", task="default", system="You are terse.", user="Item: {item}")


class Out(BaseModel):
    size: int


def test_valid_answer_is_validated_and_traced() -> None:
    llm = FakeLLM(['{"size": 3}'])
    result = complete(llm, PROMPT, Out, item="x")
    assert result.value.size == 3
    assert result.trace.model == "fake:scripted"
    assert result.trace.prompt == "t@3"
    assert result.attempts == 1
    assert llm.requests[0].json_schema == Out.model_json_schema()
    assert llm.requests[0].meta.prompt_version == "3"


def test_one_reask_then_success() -> None:
    llm = FakeLLM(['{"size": "big"}', '{"size": 4}'])
    result = complete(llm, PROMPT, Out, item="x")
    assert result.value.size == 4
    assert result.attempts == 2
    reask = llm.requests[1].messages
    assert reask[-2].role == "assistant" and "big" in reask[-2].content
    assert "size" in reask[-1].content


def test_two_invalid_answers_raise_validation_failed() -> None:
    llm = FakeLLM(["not json", '{"nope": 1}'])
    with pytest.raises(ValidationFailed) as err:
        complete(llm, PROMPT, Out, item="x")
    assert "Out" in str(err.value)
    assert len(llm.requests) == 2


def test_extract_json_tolerates_fences() -> None:
    assert extract_json('```json\n{"a": 1}\n```') == {"a": 1}
    assert extract_json('Sure! {"a": [1, 2]} hope this helps') == {"a": [1, 2]}


def test_missing_prompt_variable_is_a_user_error() -> None:
    from shelfmind.errors import UserError

    with pytest.raises(UserError):
        complete(FakeLLM(['{"size": 1}']), PROMPT, Out)
