import pytest

from questionnaire.campaigns.definition import (
    AnswerError,
    DefinitionError,
    answers_digest,
    definition_from_data,
    definition_to_data,
    parse_definition,
    validate_answers,
)

DEFN = {
    "title": "问卷",
    "questions": [
        {"id": "gov", "type": "rating", "title": "总体评价"},
        {"id": "strict", "type": "rating", "title": "必须表态", "allow_dont_know": False},
        {"id": "note", "type": "text", "title": "建议", "max_length": 5},
        {"id": "age", "type": "choice", "title": "年龄", "required": False, "options": ["青年", "老年"]},
    ],
}


def test_a_valid_definition_round_trips_through_its_stored_form():
    defn = parse_definition(DEFN)
    again = definition_from_data(definition_to_data(defn))
    assert [q.id for q in again.questions] == ["gov", "strict", "note", "age"]
    assert again.by_id["gov"].option_values == {"5", "4", "3", "2", "1", "dk"}
    assert "dk" not in again.by_id["strict"].option_values
    assert again.by_id["age"].option_values == {"1", "2"}
    assert again.by_id["note"].required is False


def test_every_problem_in_a_definition_is_reported_with_its_path():
    with pytest.raises(DefinitionError) as err:
        parse_definition({"title": "", "questions": [
            {"id": "Bad Id", "type": "rating", "title": "x"},
            {"id": "a", "type": "slider", "title": "x"},
            {"id": "b", "type": "choice", "title": "x", "options": ["only one"]},
            {"id": "c", "type": "rating", "title": "x", "scale": "joy", "colour": "red"},
        ]})
    text = "\n".join(err.value.problems)
    for expected in ("questionnaire.title", "questions[0].id", "questions[1].type",
                     "questions[2].options", "questions[3].scale", "未知字段 colour"):
        assert expected in text


def test_duplicate_question_ids_are_refused():
    with pytest.raises(DefinitionError, match="重复"):
        parse_definition({"title": "t", "questions": [
            {"id": "a", "type": "text", "title": "x"}, {"id": "a", "type": "text", "title": "y"}]})


def test_answers_are_validated_field_by_field():
    defn = parse_definition(DEFN)
    with pytest.raises(AnswerError) as err:
        validate_answers(defn, {"gov": "7", "strict": "dk", "note": "太长的一段话", "ghost": "1"})
    assert err.value.fields == {"gov": "不是有效选项", "strict": "不是有效选项",
                                "note": "内容过长（最多 5 字）", "ghost": "未知题目"}


def test_missing_required_answers_and_wrong_types_are_named():
    defn = parse_definition(DEFN)
    with pytest.raises(AnswerError) as err:
        validate_answers(defn, {"gov": 5, "note": ""})
    assert err.value.fields == {"gov": "答案必须是文本", "strict": "此题为必答题"}


def test_valid_answers_are_normalised_and_optional_blanks_dropped():
    defn = parse_definition(DEFN)
    clean = validate_answers(defn, {"gov": " 5 ", "strict": "1", "note": "好", "age": ""})
    assert clean == {"gov": "5", "strict": "1", "note": "好"}
    assert answers_digest(clean) == answers_digest(dict(reversed(list(clean.items()))))


def test_answers_must_be_a_mapping():
    with pytest.raises(AnswerError):
        validate_answers(parse_definition(DEFN), ["5", "4"])


@pytest.mark.parametrize("text", ["路\x00灯", "路灯\ud800", "\x07响铃", "删\x7f"],
                         ids=["nul", "lone-surrogate", "bell", "del"])
def test_untypeable_characters_in_free_text_are_refused_not_stored(text):
    """PostgreSQL's JSONB cannot hold NUL or lone surrogates; no keyboard types them anyway."""
    with pytest.raises(AnswerError) as err:
        validate_answers(parse_definition(DEFN), {"gov": "5", "strict": "1", "note": text})
    assert err.value.fields == {"note": "内容包含无法识别的字符，请删除后重新提交"}


def test_tabs_newlines_and_emoji_in_free_text_are_kept():
    clean = validate_answers(parse_definition(DEFN), {"gov": "5", "strict": "1", "note": "好\n很好🙂"})
    assert clean["note"] == "好\n很好🙂"
