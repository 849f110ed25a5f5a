import pytest

from pipeline.translation import TRANSLATION_FAMILIES, TranslatorConfig, load_translator
from pipeline.translation.families import Encoded

SENTENCES = ["नई दिल्ली में सोमवार को तेज़ बारिश हुई।", "डॉ. शर्मा ने अस्पताल का उद्घाटन किया।", "ठीक है।",
             "सरकार ने किसानों के लिए नई योजना की घोषणा की और इस पर काफ़ी पैसा ख़र्च होगा।"]


@pytest.fixture(scope="module")
def marian(tiny_models):
    config = TranslatorConfig(
        model=str(tiny_models["marian-hi-en"]), family="marian", max_batch_tokens=64, max_batch_size=2,
        generation={"num_beams": 2, "max_new_tokens": 8},
    )
    return load_translator(config, "translate", "cpu", "auto")


def test_batched_translation_equals_one_by_one_in_input_order(marian):
    batched = marian.translate(SENTENCES)
    one_by_one = [marian.translate([s])[0] for s in SENTENCES]
    assert [t.text for t in batched] == [t.text for t in one_by_one]
    assert [t.tokens_in for t in batched] == [min(marian.count_tokens(s), marian.max_input_tokens) for s in SENTENCES]
    assert batched[3].tokens_in == marian.max_input_tokens  # the long one was cut to what the model takes
    assert all(0 < t.tokens_out <= 8 for t in batched)


def test_translator_describes_its_model(marian):
    described = marian.describe()
    assert described["revision"] == "local" and described["device"] == "cpu" and described["dtype"] == "float32"


def test_placeholder_families_restore_entities_the_model_kept():
    family = TRANSLATION_FAMILIES.get("marian")(tokenizer=None, src_lang="hin_Deva", tgt_lang="eng_Latn")
    (encoded,) = family.encode(["ईमेल a@b.in पर 9:30 बजे भेजें।"])
    assert "a@b.in" not in encoded.text and "9:30" not in encoded.text
    assert family.decode(["Send to <1> at < 2 >."], [encoded]) == ["Send to a@b.in at 9:30."]


class _FloresTokenizer:
    """Stands in for NLLB's tokenizer: language codes are tokens with ids."""

    src_lang = None

    def convert_tokens_to_ids(self, token):
        return {"hin_Deva": 7, "eng_Latn": 9}[token]


def test_nllb_sets_the_source_language_and_forces_the_target_code():
    tokenizer = _FloresTokenizer()
    family = TRANSLATION_FAMILIES.get("nllb")(tokenizer, "hin_Deva", "eng_Latn")
    assert tokenizer.src_lang == "hin_Deva"
    assert family.generate_kwargs() == {"forced_bos_token_id": 9}


@pytest.mark.parametrize(
    "family, src, tgt, message",
    [("nllb", "hi", "eng_Latn", "FLORES-200 codes"), ("m2m100", "hin_Deva", "en", "ISO 639-1"),
     ("indictrans2", "hin_Deva", "english", "unknown language code 'english'")],
)
def test_families_refuse_language_codes_they_cannot_use(family, src, tgt, message):
    with pytest.raises(ValueError, match=message):
        TRANSLATION_FAMILIES.get(family).check_languages(src, tgt)


def test_indictrans2_family_tags_the_text_and_restores_its_placeholders():
    family = TRANSLATION_FAMILIES.get("indictrans2")(tokenizer=None, src_lang="hin_Deva", tgt_lang="eng_Latn")
    (encoded,) = family.encode(["विवरण https://example.com/report पर है।"])
    assert encoded.text.startswith("hin_Deva eng_Latn ")
    assert "example.com" not in encoded.text
    assert family.decode(["Details are at <ID1>."], [encoded]) == ["Details are at https://example.com/report."]
    assert isinstance(encoded, Encoded)
