"""Paraphrases of the ten themes, written from the research brief, not from data.

The default codebook's rules were refined on the sample interviews and
learned their wording. These sentences were written from the theme
definitions in the research brief (``/work/shared/domain/themes.md``)
alone, without reading any transcript: the ways upphandlare,
projektledare, verksamhetschefer, leverantörer and politiker say each
theme in everyday spoken Swedish, some negated, some indirect. Each theme
also has a few hard negatives: the theme's words in another sense, or a
neighbouring theme named in the brief's "Not:" lines.

A positive sentence must carry its theme (other themes may come along); a
negative sentence must not carry it.
"""

from __future__ import annotations

import pytest

from codingkit.codebook import load_codebook
from codingkit.coding.rules import RuleMatcher

POSITIVES: dict[str, list[str]] = {
    "tidig_dialog": [
        "Vi bjöd in alla som kunde tänkas vara intresserade till en träff på regionens hus innan annonsen gick ut.",
        "Vi ringde runt till ett tiotal firmor för att höra vad som fanns.",
        "Innan vi annonserade fick leverantörerna läsa utkastet och säga vad de tyckte.",
        "Vi gjorde aldrig någon riktig dialog med marknaden, vi körde bara igång.",
        "Som leverantör blev vi inbjudna till ett möte där de berättade om sina planer, långt innan upphandlingen.",
        "Vi ville veta om det överhuvudtaget fanns någon som kunde bygga det här.",
        "Vi lade ut en förfrågan där vi frågade företagen vad som var möjligt att ta fram.",
        "Vi åkte på en mässa i Stockholm för att se vilka produkter som fanns.",
        "Det kom ett tjugotal företag till vår informationsdag i februari.",
        "Vi har haft enskilda samtal med fyra tillverkare under hösten.",
        "Vi hade inte koll på vad branschen kunde leverera, så vi frågade dem helt enkelt.",
        "Företagen fick presentera sina idéer för oss innan vi satte kraven.",
        "Jag tycker att det var bra att vi pratade med leverantörssidan innan allt var spikat.",
        "Vi skickade ut ett frågeformulär till ett femtiotal leverantörer för att kolla läget.",
        "Vi gjorde en omvärldsspaning för att se vad som rörde sig i Europa.",
        "Från leverantörens sida var det värdefullt att få träffa kunden tidigt och förstå vad de var ute efter.",
    ],
    "behov": [
        "Vi började med att gå ut i verksamheten och titta på hur de faktiskt jobbar.",
        "Det handlade om att förstå vad som var problemet för personalen på natten.",
        "Vi bestämde oss tidigt för att inte säga vilken teknik vi ville ha, bara vad den skulle klara.",
        "Vi hade workshops med medarbetarna där de fick rita upp sin arbetsdag.",
        "Patienterna fick berätta vad som var svårast när de kom hem från sjukhuset.",
        "Vi visste inte riktigt vad vi behövde, och det märktes i hela upphandlingen.",
        "Grundfrågan var vad det egentligen är vi vill uppnå för de äldre.",
        "Det tog ett halvår bara att komma överens om vad problemet var.",
        "Vi skuggade hemtjänstpersonalen under ett par dagar för att se var det skaver.",
        "Vi kartlade hela flödet från att patienten ringer till att hen får hjälp.",
        "Vi skrev vad lösningen skulle åstadkomma, inte hur den skulle se ut.",
        "Vi gjorde aldrig någon ordentlig analys av vad användarna behövde, det var ett misstag.",
        "Från början var det en idé från en chef, inte något som personalen hade efterfrågat.",
        "Behovet kom från golvet, det var undersköterskorna som larmade.",
        "Vi pratade med anhöriga och brukare om vad som skulle göra skillnad i vardagen.",
        "Som leverantör uppskattade vi att de beskrev utmaningen och inte en färdig lösning.",
    ],
    "kommersialisering": [
        "Nu säljer de samma system till flera kommuner i Norrland.",
        "Vi var deras första riktiga kund, innan oss hade de bara prototyper.",
        "Det lilla företaget har fått in nya investerare tack vare avtalet med oss.",
        "Produkten finns nu att köpa för alla regioner.",
        "De har fått förfrågningar från Finland och Holland.",
        "För oss som leverantör var det viktigaste att kunna visa upp en kund som faktiskt använder det.",
        "Andra regioner har hört av sig och vill köpa samma lösning.",
        "Vi har inte lyckats sälja den vidare än, marknaden är trög.",
        "Vem som äger koden efteråt var en stor fråga för företaget.",
        "Tanken var att företaget skulle kunna bygga en affär på det här.",
        "I dag har de ett trettiotal kunder i hela Norden.",
        "Vi ville bidra till att svenska småföretag får en chans att växa.",
        "Tack vare oss kom produkten ut på marknaden två år tidigare.",
        "Det är tre kommuner till som har tecknat avtal med dem.",
        "Lösningen har spridit sig till flera andra sjukhus i landet.",
        "Vår förhoppning är att det här ska bli en exportprodukt.",
    ],
    "forfarande": [
        "Vi valde att köra ett förhandlat förfarande för att kunna justera under vägen.",
        "Det svåra var att skriva kraven så att de inte stängde ute någon.",
        "Vi delade upp det i tre steg: utveckling, test och sedan köp.",
        "Kvalitet vägde tyngre än priset när vi valde leverantör.",
        "I avtalet skrev vi in att vi kunde säga upp det efter pilotfasen.",
        "Vi fick in fyra anbud, varav ett var ogiltigt.",
        "Vi hade ett poängsystem där varje lösning bedömdes av en panel.",
        "Från leverantörens håll var underlaget väldigt svårt att förstå, det var hundra sidor.",
        "Vi funderade på partnerskap men landade i en vanlig öppen upphandling.",
        "Vi bestämde att vinnaren skulle få ersättning för utvecklingskostnaden i första steget.",
        "Kriterierna för att gå vidare till nästa fas var inte tydliga.",
        "Det var vi som bestämde vilket upplägg upphandlingen skulle ha.",
        "Vi hade nästan inga ska-krav på själva tekniken.",
        "Vi hade en frågestund under anbudstiden där alla fick ställa frågor.",
        "Leverantörerna fick lämna in skisser som vi sedan valde ut tre av.",
        "Vi annonserade upphandlingen i maj och tilldelade i september.",
    ],
    "risk_regelverk": [
        "Vi var livrädda för att göra något som inte var tillåtet enligt lagen.",
        "Juristen sa att vi inte fick ge ett företag mer information än de andra.",
        "Det är lätt att man blir försiktig när man inte vet vad regelverket tillåter.",
        "Vi vågade inte chansa, om det inte funkar står vi där med en dyr pryl som ingen vill ha.",
        "Om någon hade överklagat hade hela projektet stått still i ett år.",
        "Upphandlare är ju tränade att inte göra fel, det sitter i ryggmärgen.",
        "Det fanns en oro för att vi skulle bryta mot upphandlingslagen.",
        "Leverantören fick ta hela den ekonomiska risken om piloten misslyckades.",
        "Alla anbudsgivare måste ju behandlas på samma sätt.",
        "Man får inte skräddarsy underlaget för ett visst företag.",
        "En leverantör frågade om det här inte var konkurrensbegränsande.",
        "Det finns en rädsla i organisationen att hamna i tidningen för en felaktig upphandling.",
        "Patientdata gör det komplicerat, det är mycket lagar kring det.",
        "Som litet företag är det en enorm risk att lägga ett år på något som kanske aldrig köps.",
        "Reglerna är inte så stelbenta som många tror, det finns mer utrymme än man tror.",
        "Vi ville inte att någon skulle tycka att vi hade gynnat en viss leverantör.",
    ],
    "forankring": [
        "Utan att förvaltningschefen trodde på det hade det aldrig blivit av.",
        "Vi fick inte med oss verksamhetscheferna, de såg det som ett sidoprojekt.",
        "Det var oklart vem som egentligen bestämde i projektet.",
        "Vi hade en arbetsgrupp med både upphandlare, IT och vårdpersonal.",
        "Politikerna har varit väldigt engagerade, de frågar ofta hur det går.",
        "Det var svårt att få gehör högre upp i organisationen.",
        "När vår chef slutade var det ingen som tog över ansvaret för frågan.",
        "Vi presenterade idén för ledningsgruppen och fick klartecken.",
        "Upphandlingsavdelningen och kliniken pratade inte samma språk i början.",
        "Det har varit eldsjälar som drivit det, inte organisationen.",
        "Kommunstyrelsen tog beslut om att vi skulle satsa på det här.",
        "Varje gång det kom en ny direktör fick vi börja om och förklara.",
        "Det är viktigt att någon äger frågan i linjen, annars dör det.",
        "Som projektledare hade jag inget mandat att ändra något i verksamheten.",
        "Vi såg till att cheferna på golvet var med på tåget från början.",
        "Det var ett glapp mellan de som köper och de som ska använda.",
    ],
    "samverkan": [
        "Vi gick ihop med två grannkommuner för att få tillräcklig volym.",
        "Region Skåne och vi har delat på kostnaderna för förstudien.",
        "Upphandlingsmyndigheten har varit ett bra bollplank hela vägen.",
        "Vi hade med en forskare från Linköpings universitet som följde projektet.",
        "Det var svårt att få fem organisationer att komma överens om en kravspec.",
        "Vi träffas i ett nätverk för innovationsansvariga i regionerna.",
        "Det har varit mycket lättare att samarbeta med andra kommuner än jag trodde.",
        "Vinnova har varit mer än en finansiär, de har ställt upp med råd och kontakter.",
        "Vi har en avsiktsförklaring med tre andra regioner om att köpa tillsammans.",
        "Vi har fått avropa från ett avtal som en annan region redan hade gjort.",
        "RISE hjälpte oss med testbädden.",
        "Vi pratar ofta med våra kollegor i Västra Götaland om hur de har gjort.",
        "Initiativet kom från kommunerna i Sydsverige som stod bakom det tillsammans.",
        "Vi har aldrig samverkat med någon annan kommun i sånt här förut.",
        "Det var en styrka att vi var flera beställare som ställde samma krav.",
        "Doktoranden från högskolan satt med i våra projektmöten.",
    ],
    "resurser": [
        "Det finns helt enkelt inte folk till att driva det här vid sidan av allt annat.",
        "Vi fick ett bidrag på två miljoner från Vinnova.",
        "Hela projektet har byggt på att jag jobbat övertid.",
        "Vi har bara en upphandlare på hela kommunen, så det blir trångt.",
        "När pengarna tar slut i december vet ingen hur det blir.",
        "Vi underskattade hur mycket tid det skulle ta.",
        "Ingen har riktigt budgeterat för att testa nya saker.",
        "Det är svårt att frigöra sjuksköterskor från vården för att sitta i workshops.",
        "Leverantören lade ner mycket fler timmar än de fick betalt för.",
        "Vi fick låna in en jurist från en annan förvaltning för att klara det.",
        "Kostnaden för utvecklingen får delas mellan oss och företaget.",
        "Vi har inte kapacitet att ta in fler projekt just nu.",
        "Projektledaren var sjukskriven i tre månader och allt stod still.",
        "Det krävs att man har någon som kan upphandling, och det har inte de små kommunerna.",
        "Vi har fått skjuta upp allt eftersom folk är upptagna med annat.",
        "Det är dyrt att vara först, någon måste ta den kostnaden.",
    ],
    "larande": [
        "Om jag fick göra om det skulle jag lägga mer tid i början.",
        "Vi har skrivit ner allt vi gjort så att nästa projekt slipper uppfinna hjulet.",
        "Det har varit en lärorik resa för hela organisationen.",
        "Jag visste ingenting om innovationsupphandling när jag började, nu kan jag ganska mycket.",
        "Vi gick en kurs hos Upphandlingsmyndigheten innan vi satte igång.",
        "Det jag tar med mig är att man måste våga släppa kontrollen.",
        "Många andra kommuner har ringt och frågat hur vi gjorde.",
        "Vi har tagit fram en lathund för hur man gör en behovsanalys.",
        "Nu vet vi mycket mer om hur man ställer funktionskrav.",
        "Vi gjorde en del misstag som vi inte kommer att göra igen.",
        "Efter varje fas satte vi oss och reflekterade över vad som gick bra och dåligt.",
        "Jag tror att organisationen har blivit bättre på att tänka nytt i upphandlingar.",
        "Det har blivit en metod som vi nu använder i andra upphandlingar också.",
        "Vi var helt gröna i början.",
        "Upphandlarna har fått en helt annan förståelse för hur vården fungerar.",
        "Som leverantör har vi lärt oss otroligt mycket om hur en region fungerar.",
    ],
    "effekter": [
        "Sjuksköterskorna sparar nästan en timme per pass nu.",
        "Vi ser färre fall bland de äldre sedan sensorerna kom på plats.",
        "Det är för tidigt att säga om det har gjort någon skillnad.",
        "Vi har inte följt upp om det faktiskt blev bättre för patienterna.",
        "Nu används systemet varje dag på alla avdelningar.",
        "Personalen tycker att det har blivit lugnare på natten.",
        "Vi samlar in data varje månad för att se om det ger resultat.",
        "Det har inte blivit den besparing vi hade hoppats på.",
        "Forskarna ska utvärdera om patienterna blir mer självständiga.",
        "Lösningen står mest i ett förråd, det är ingen som använder den.",
        "Vårdtiderna har kortats med i snitt två dagar.",
        "Invånarna får svar snabbare nu än tidigare.",
        "Vi hade tydliga mål för vad vi ville uppnå, och de flesta har vi nått.",
        "Det svåra har varit att få personalen att faktiskt börja använda det.",
        "Från leverantörens sida ser vi att kunderna använder appen dagligen.",
        "Den stora vinsten är att de boende kan bo kvar hemma längre.",
    ],
}

NEGATIVES: dict[str, list[str]] = {
    "tidig_dialog": [
        "Vi hade en lång dialog med sjuksköterskorna om hur natten ser ut.",            # behov
        "Under förhandlingen i andra fasen pratade vi mycket med de två leverantörerna.",  # forfarande
        "Vi träffade de andra regionerna i nätverket varje månad.",                      # samverkan
        "Jag var på julmarknaden med barnen och köpte ljus.",
    ],
    "behov": [
        "Vi behöver mer pengar om projektet ska fortsätta nästa år.",                     # resurser
        "Vi behövde anställa en projektledare till.",                                      # resurser
        "Vi kartlade vilka leverantörer som fanns på marknaden.",                         # tidig_dialog
        "Leverantören förstod inte riktigt hur avtalet var tänkt.",
    ],
    "kommersialisering": [
        "Vi har rullat ut lösningen på alla tolv vårdcentraler i regionen.",              # effekter
        "Jag sålde min gamla bil förra året.",
        "Vi köpte in surfplattor till personalen förra året.",
    ],
    "forfarande": [
        "Vi bjöd in leverantörerna till en träff innan vi började skriva något underlag.",  # tidig_dialog
        "Projektet har gått in i en lugnare fas efter sommaren.",
        "Facket ville förhandla om arbetstiderna på natten.",
        "Jag har ställt krav på mig själv att bli bättre på att delegera.",
    ],
    "risk_regelverk": [
        "Det finns alltid en risk att det regnar på midsommar.",
        "Vi tog risken att åka trots snöovädret.",
        "Reglerna i fotbollsserien ändrades i år.",
    ],
    "forankring": [
        "Vi samarbetade med tre andra regioner om upphandlingen.",                       # samverkan
        "Vi hade en projektledare som pratade med leverantören varje vecka.",
        "Riksdagspolitikerna borde ändra lagen så att det blir enklare.",                 # risk_regelverk
    ],
    "samverkan": [
        "Vi har jobbat tätt ihop med leverantören under hela testperioden.",             # not samverkan
        "Jag gick en kurs på universitetet för länge sedan.",
        "Vi fick pengar från Vinnova för att kunna genomföra projektet.",                 # resurser
    ],
    "resurser": [
        "Behovet hos patienterna var att slippa åka in till sjukhuset.",                  # behov
        "Vi lärde oss mycket om hur man kravställer.",                                   # larande
        "Tiden går fort när man har roligt.",
    ],
    "larande": [
        "Jag har en examen i ekonomi från Uppsala.",
        "Vi saknar kompetens inom juridik på enheten.",                                   # resurser
        "Nästa gång vi ses ska vi gå igenom budgeten.",
        "Appen ska hjälpa eleverna att lära sig läsa.",
    ],
    "effekter": [
        "Vi utvärderade tre anbud och valde det billigaste.",                            # forfarande
        "Det var en effektiv workshop där vi hann med allt.",
        "Vi mätte upp rummet innan möblerna kom.",
        "Vi följer upp fakturorna varje månad.",
    ],
}

CASES = [(theme, text, True) for theme, texts in POSITIVES.items() for text in texts] + [
    (theme, text, False) for theme, texts in NEGATIVES.items() for text in texts
]


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


@pytest.fixture(scope="module")
def matcher(codebook):
    return RuleMatcher(codebook)


def test_every_theme_has_paraphrases_and_traps(codebook):
    assert set(POSITIVES) == set(NEGATIVES) == {t.id for t in codebook.themes}
    for theme in POSITIVES:
        assert len(POSITIVES[theme]) >= 15, theme
        assert len(NEGATIVES[theme]) >= 3, theme
    texts = [text for _, text, _ in CASES]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize(
    "theme,text,positive", CASES,
    ids=[f"{'pos' if p else 'neg'}-{t}-{s[:30]}" for t, s, p in CASES],
)
def test_paraphrase(codebook, matcher, theme, text, positive):
    found = {codebook.theme_of(h.code) for h in matcher.match(text)}
    if positive:
        assert theme in found, (theme, text, found)
    else:
        assert theme not in found, (theme, text, found)
