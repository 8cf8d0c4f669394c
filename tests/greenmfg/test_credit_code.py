"""统一社会信用代码 per GB 32100-2015."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from applications.models import Organisation
from greenmfg.identifiers import CREDIT_CODE_ALPHABET, credit_code_check_character, validate_credit_code


def test_the_worked_example_of_the_standard():
    assert credit_code_check_character("91350100M000100Y4") == "3"
    validate_credit_code("91350100M000100Y43")


def test_a_wrong_check_character_names_the_expected_one():
    with pytest.raises(ValidationError) as error:
        validate_credit_code("91350100M000100Y44")
    assert error.value.messages == ["统一社会信用代码校验位错误：第18位应为“3”，您输入的是“4”，请核对。"]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y4", "统一社会信用代码应为18位，您输入了17位。"),
        ("91350100M000100Y4OO", "统一社会信用代码应为18位，您输入了19位。"),
        ("91350100M00O100Y43", "统一社会信用代码第12位“O”不是有效字符（不使用 I、O、Z、S、V）。"),
        ("9135010-M000100Y43", "统一社会信用代码第8位“-”不是有效字符（不使用 I、O、Z、S、V）。"),
    ],
)
def test_malformed_codes_are_refused_with_what_is_wrong(code, message):
    with pytest.raises(ValidationError) as error:
        validate_credit_code(code)
    assert error.value.messages == [message]


def test_lower_case_and_surrounding_spaces_are_accepted():
    validate_credit_code("  91350100m000100y43 ")


@given(st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17))
def test_every_17_characters_have_exactly_one_valid_check_character(body):
    valid = [c for c in CREDIT_CODE_ALPHABET if _is_valid(body + c)]
    assert valid == [credit_code_check_character(body)]


def _is_valid(code):
    try:
        validate_credit_code(code)
    except ValidationError:
        return False
    return True


@pytest.mark.django_db
def test_an_organisation_with_a_failing_check_is_refused_unless_an_admin_recorded_why():
    organisation = Organisation(name="测试", credit_code="91350100M000100Y44", region_id="420100")
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert "校验位错误" in error.value.message_dict["credit_code"][0]

    organisation.credit_code_waiver = "营业执照原件核对无误，代码为登记机关早期赋码。"
    organisation.full_clean()
