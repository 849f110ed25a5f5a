"""Chat prompts: which template wins, what a config may write, and what is kept of a model's answer."""

import pytest
from pydantic import ValidationError

from pipeline.backends.settings import GenerationConfig
from pipeline.summarization import SummarizerConfig
from pipeline.text.chat import CHAT_PRESETS, TASK_PROMPTS, ChatPrompt, answer
from pipeline.translation import TranslatorConfig


def test_the_task_default_applies_when_nothing_is_set():
    resolved = ChatPrompt().resolve("summarize")
    assert resolved.user == TASK_PROMPTS["summarize"].user
    assert resolved.system == TASK_PROMPTS["summarize"].system
    assert resolved.source == "this project's default"


def test_config_keys_win_over_the_preset_and_the_preset_over_the_task():
    preset = CHAT_PRESETS.get("sarvam-translate")
    from_preset = ChatPrompt(preset="sarvam-translate").resolve("translate")
    assert (from_preset.system, from_preset.user) == (preset.system, preset.user)
    assert from_preset.source == preset.source
    overridden = ChatPrompt(preset="sarvam-translate", user="Now: {text}").resolve("translate")
    assert overridden.user == "Now: {text}" and overridden.system == preset.system
    assert overridden.source == "config"


def test_a_preset_without_messages_keeps_the_tasks_and_adds_its_options():
    resolved = ChatPrompt(preset="qwen3-no-thinking").resolve("summarize")
    assert resolved.user == TASK_PROMPTS["summarize"].user
    assert resolved.template_options == {"enable_thinking": False}


def test_an_empty_system_message_means_none():
    assert ChatPrompt(system="").resolve("translate").system is None


@pytest.mark.parametrize(
    ("user", "message"),
    [
        ("Translate this.", "must contain {text}"),
        ("Translate {text} into {language}", "unknown field {language}"),
        ("Reply as JSON {", "literal brace"),
    ],
)
def test_bad_user_templates_are_refused_with_the_reason(user, message):
    with pytest.raises(ValidationError, match=message.replace("{", r"\{").replace("}", r"\}")):
        ChatPrompt(user=user)


def test_template_options_the_pipeline_sets_itself_and_empty_stops_are_refused():
    with pytest.raises(ValidationError, match="tokenize is set by the pipeline"):
        ChatPrompt(template_options={"tokenize": True})
    with pytest.raises(ValidationError, match="empty stop string"):
        ChatPrompt(stop=["\n\n", ""])


def test_an_unknown_preset_lists_the_known_ones():
    with pytest.raises(ValidationError, match="sarvam-translate"):
        ChatPrompt(preset="sarvam")


def test_only_the_chat_family_takes_a_prompt():
    with pytest.raises(ValidationError, match="chat: only the chat family"):
        TranslatorConfig(model="m", family="marian", chat={"user": "{text}"})
    with pytest.raises(ValidationError, match="chat: only the chat family"):
        SummarizerConfig(model="m", chat={"user": "{text}"})  # family bart by default
    assert TranslatorConfig(model="m", family="chat", chat={"user": "{text}"}).chat.user == "{text}"


def test_sampling_settings_need_sampling():
    with pytest.raises(ValidationError, match="temperature: a sampling setting"):
        GenerationConfig(temperature=0.7)
    kwargs = GenerationConfig(do_sample=True, top_p=0.9, num_beams=1).generate_kwargs()
    assert kwargs["top_p"] == 0.9 and "temperature" not in kwargs  # unset: the model's own


@pytest.mark.parametrize(
    ("generated", "stop", "expected"),
    [
        ("<think>\nThe user wants English.\n</think>\n\nRain fell in Delhi.", (), "Rain fell in Delhi."),
        ("<think>\n\n</think>\n\nRain fell.", (), "Rain fell."),
        ("<think>still reasoning when the length ran out", (), ""),
        ("Rain fell.\nNote: the source is informal.", ("\nNote:",), "Rain fell."),
        ("  Rain fell.  ", (), "Rain fell."),
    ],
)
def test_the_answer_is_what_follows_the_reasoning_and_precedes_a_stop_string(generated, stop, expected):
    assert answer(generated, stop) == expected
