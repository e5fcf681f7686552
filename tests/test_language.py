"""Language identification on small texts of our own."""

from corpusclean.language import detect_language


def test_common_languages_get_their_iso_code():
    assert detect_language("The committee met on Tuesday to discuss the new budget for the city's schools.") == "en"
    assert detect_language("Le conseil municipal s'est réuni mardi pour discuter du budget des écoles de la ville.") == "fr"
    assert detect_language("Der Stadtrat traf sich am Dienstag, um über den Haushalt der Schulen zu sprechen.") == "de"
    assert detect_language("市议会周二开会讨论了该市学校的新预算，会议持续了三个小时。") == "zh"  # not a script variant


def test_too_short_or_unsure_is_null():
    assert detect_language("ok") is None
    assert detect_language("   \n\t  ") is None
    assert detect_language("1234 5678 9012 3456 7890 !!! ???") is None


def test_text_that_cannot_be_encoded_still_gets_an_answer():
    # a lone surrogate (from a lenient decode) and control characters must not raise
    s = "The committee met \udcff on Tuesday \x00 to discuss the new budget for the schools of the city."
    assert detect_language(s) == "en"


def test_an_unsure_first_sample_is_asked_again_on_a_longer_one():
    from corpusclean.language import _detect

    ru = ("Городской совет во вторник одобрил строительство нового пешеходного моста через реку, который "
          "соединит жилой район с вокзалом. Работы начнутся весной и продлятся около полутора лет, сообщили "
          "в администрации города после заседания. ") * 4
    ticker = ("USD 92,45  EUR 99,80  CNY 12,7  Brent 83,1  MOEX 3200  RTS 1100  Gold 2150  " * 6)[:400]
    assert _detect(ticker) is None
    assert detect_language(ticker + ru) == "ru"
