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

How they were used. The first sixteen sentences of each theme and the first
traps were written before the rules were changed: the codebook of that time
(codingkit 1.0's) found 66 of 160 and avoided 32 of 35 traps. The rules
were then broadened until all of them passed. The "second round" (eight
per theme, two traps) was written afterwards and measured before the rules
were changed again: the first-round codebook found only 46 of 80 (the
original 42), so rules fitted to one set of sentences generalise little to
the next, just as rules fitted to a corpus do. Both rounds now pass.

A third round (``UNSEEN_*``, six per theme) was written after the rules were
final and never used to change them: the final rules find 29 of 60 (the
original 22, the first-round rules already 29). It is kept as a floor, not
as sentence-by-sentence assertions; a new round of paraphrases is the
honest test of the next change.
"""

from __future__ import annotations

import pytest


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
        # second round (measured before the rules saw them)
        "Vi satte oss med några av de stora tillverkarna och frågade rakt ut vad som var rimligt att kräva.",
        "Det var först när vi pratade med företagen som vi förstod att det vi ville ha inte fanns.",
        "Jag som leverantör fick chansen att kommentera utkastet till kravspecen innan den gick ut.",
        "Vi körde en öppen dag där alla intresserade bolag fick komma och lyssna på våra tankar.",
        "Vi borde ha kollat av med marknaden mycket tidigare.",
        "Vi googlade och läste på om vilka lösningar som fanns i andra länder.",
        "Det var ett tjugotal leverantörer som svarade på vår förfrågan om information.",
        "Vi hade inga möten med företag innan, vi gick direkt på annonsering.",
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
        # second round (measured before the rules saw them)
        "Vi frågade oss vad det egentligen var som inte fungerade för de boende.",
        "Undersköterskorna fick beskriva en vanlig natt, steg för steg.",
        "Vi ville inte skriva att det skulle vara en app, utan vad personalen skulle kunna göra.",
        "Kravet var formulerat som ett resultat: färre fall, inte en viss pryl.",
        "Det var sjuksköterskorna själva som lyfte problemet med nattlarmen.",
        "Vi lade mycket tid på att förstå hur hemtjänsten planerar sina besök.",
        "Vi gjorde en enkät till personalen om vad som tog mest tid i vardagen.",
        "Vi hade ingen aning om vad brukarna tyckte var viktigt, så vi gick och frågade.",
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
        # second round (measured before the rules saw them)
        "Nu har bolaget fått en order från en region i Finland.",
        "Att vi var först gjorde det lättare för dem att sälja till nästa kommun.",
        "De använder oss som referens när de pratar med nya kunder.",
        "Företaget har gått från tre till femton anställda på två år.",
        "Det är tänkt att produkten ska säljas över hela Europa.",
        "Vi fick behålla rättigheterna till det vi utvecklade, det var avgörande för oss som företag.",
        "Flera landsting har hört av sig och vill veta mer om lösningen.",
        "Startupen har tagit in riskkapital för att kunna växa.",
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
        # second round (measured before the rules saw them)
        "Vi bestämde att priset bara skulle väga tjugo procent.",
        "Kraven skrevs så att man kunde uppfylla dem på flera olika sätt.",
        "Det blev ett partnerskap med två leverantörer som fick utveckla parallellt.",
        "Vi hade byggt in en möjlighet att avsluta samarbetet om testerna inte höll.",
        "Det var tre anbudsgivare som gick vidare till förhandling.",
        "Vi la in en option på att köpa fler enheter om piloten föll väl ut.",
        "Vi valde bort konkurrenspräglad dialog för att det kändes för tungt.",
        "Som leverantör tyckte vi att kvalificeringskraven var för höga för ett litet bolag.",
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
        # second round (measured before the rules saw them)
        "Det finns en föreställning om att LOU förbjuder allt, men så är det inte.",
        "Man är rädd att hamna i förvaltningsrätten.",
        "Vi var osäkra på om vi fick träffa en leverantör i taget.",
        "Om det går fel är det vi som står där med ansvaret och skattebetalarnas pengar.",
        "Det kändes som ett stort risktagande att satsa på en lösning som inte fanns.",
        "Juristerna ville ha allt på papper för att kunna försvara oss.",
        "Vi delade risken så att leverantören fick betalt även om testet misslyckades.",
        "Alla måste få samma chans, det är grundprincipen i upphandling.",
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
        # second round (measured before the rules saw them)
        "Vår nämnd ville ha rapporter varje kvartal om hur det gick.",
        "Det var inte förankrat hos cheferna, så det rann ut i sanden.",
        "Jag hade full uppbackning från min chef hela vägen.",
        "Vi hade svårt att få IT-avdelningen att prioritera det här.",
        "Ingen visste riktigt vems projekt det var.",
        "När den nya regionstyrelsen tillträdde ändrades prioriteringarna.",
        "Upphandlarna och verksamheten satt tillsammans från dag ett.",
        "Det är lätt att projektet blir en ö som ingen annan i organisationen bryr sig om.",
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
        # second round (measured before the rules saw them)
        "Vi lånade en kravspec från Region Stockholm och anpassade den.",
        "Tillsammans med tre andra kommuner kunde vi ställa större krav.",
        "Universitetet har hjälpt oss att designa utvärderingen.",
        "Vi har ett utbyte med en kommun i Norge som har gjort något liknande.",
        "Vi ringde Upphandlingsmyndigheten flera gånger när vi körde fast.",
        "Regionerna i södra Sverige har bildat en gemensam grupp för innovationsupphandling.",
        "Det hade varit svårt för en liten kommun att göra det här på egen hand.",
        "Vi tog hjälp av forskare på Chalmers för att förstå tekniken.",
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
        # second round (measured before the rules saw them)
        "Det här har jag gjort på kvällstid, det fanns ingen tid avsatt.",
        "Utan pengarna från Vinnova hade vi aldrig kunnat starta.",
        "Vi är fyra personer som ska hinna med allt.",
        "När vår upphandlare gick i pension tappade vi mycket.",
        "Verksamheten måste betala för licenserna efter projektet, och det finns inga pengar.",
        "Det är för lite folk på upphandlingsenheten för att göra sådant här.",
        "Vi fick ta av vår egen driftbudget för att täcka det.",
        "Som litet företag har vi inte råd att lägga ett halvår på ett anbud.",
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
        # second round (measured before the rules saw them)
        "Den största lärdomen är att man måste ha verksamheten med från start.",
        "Vi har haft utbildningar för alla upphandlare i innovationsupphandling.",
        "Jag skulle göra det helt annorlunda i dag.",
        "Vi har delat med oss av våra dokument till andra regioner.",
        "Vi har blivit modigare som organisation.",
        "Jag har förstått hur mycket förberedelser som krävs.",
        "Det här har gett oss en helt ny kunskap om hur man jobbar med leverantörer.",
        "Vi har hållit seminarier för att sprida erfarenheterna.",
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
        # second round (measured before the rules saw them)
        "Antalet larm per natt har halverats.",
        "Vi vet inte än om det lönar sig.",
        "Patienterna sover bättre, det märks på dagen.",
        "Det har blivit en del av hur vi jobbar varje dag.",
        "Vi mäter hur många som behöver åka in till akuten.",
        "Personalen har slutat använda det, för det var för krångligt.",
        "Det har sparat många resor för hemtjänsten.",
        "Följeforskarna ska titta på om det blivit någon nytta för patienterna.",
    ],
}

NEGATIVES: dict[str, list[str]] = {
    "tidig_dialog": [
        "Vi hade en lång dialog med sjuksköterskorna om hur natten ser ut.",            # behov
        "Under förhandlingen i andra fasen pratade vi mycket med de två leverantörerna.",  # forfarande
        "Vi träffade de andra regionerna i nätverket varje månad.",                      # samverkan
        "Jag var på julmarknaden med barnen och köpte ljus.",
        "Vi satt med leverantören varje vecka under implementeringen och gick igenom buggar.",
        "Vi hade en workshop med personalen på akuten om deras arbetsdag.",
    ],
    "behov": [
        "Vi behöver mer pengar om projektet ska fortsätta nästa år.",                     # resurser
        "Vi behövde anställa en projektledare till.",                                      # resurser
        "Vi kartlade vilka leverantörer som fanns på marknaden.",                         # tidig_dialog
        "Leverantören förstod inte riktigt hur avtalet var tänkt.",
        "Vid behov kallar vi in extra personal till helgerna.",
        "Vi behövde en jurist som kunde granska avtalet.",
    ],
    "kommersialisering": [
        "Vi har rullat ut lösningen på alla tolv vårdcentraler i regionen.",              # effekter
        "Jag sålde min gamla bil förra året.",
        "Vi köpte in surfplattor till personalen förra året.",
        "Nu ska vi sprida arbetssättet till fler avdelningar inom sjukhuset.",
        "Vi köpte en färdig produkt från en stor leverantör.",
    ],
    "forfarande": [
        "Vi bjöd in leverantörerna till en träff innan vi började skriva något underlag.",  # tidig_dialog
        "Projektet har gått in i en lugnare fas efter sommaren.",
        "Facket ville förhandla om arbetstiderna på natten.",
        "Jag har ställt krav på mig själv att bli bättre på att delegera.",
        "Vi har kommit in i en ny fas i livet med barn och allt.",
        "Vi förhandlade med facket om schemat för nattpersonalen.",
    ],
    "risk_regelverk": [
        "Det finns alltid en risk att det regnar på midsommar.",
        "Vi tog risken att åka trots snöovädret.",
        "Reglerna i fotbollsserien ändrades i år.",
        "Det var risk för halka så vi ställde in träffen.",
        "Laget vann serien i år.",
    ],
    "forankring": [
        "Vi samarbetade med tre andra regioner om upphandlingen.",                       # samverkan
        "Vi hade en projektledare som pratade med leverantören varje vecka.",
        "Riksdagspolitikerna borde ändra lagen så att det blir enklare.",                 # risk_regelverk
        "Jag pratade med chefen på leverantörsföretaget om leveransdatum.",
        "Vi samarbetade med fyra kommuner i länet.",
    ],
    "samverkan": [
        "Vi har jobbat tätt ihop med leverantören under hela testperioden.",             # not samverkan
        "Jag gick en kurs på universitetet för länge sedan.",
        "Vi fick pengar från Vinnova för att kunna genomföra projektet.",                 # resurser
        "Vi hade ett bra samarbete med leverantören under testerna.",
        "Regionen har många vårdcentraler.",
    ],
    "resurser": [
        "Behovet hos patienterna var att slippa åka in till sjukhuset.",                  # behov
        "Vi lärde oss mycket om hur man kravställer.",                                   # larande
        "Tiden går fort när man har roligt.",
        "Personalen behöver kunna se vilken patient som larmar.",
        "Det tog tid innan vi vande oss vid det nya systemet.",
    ],
    "larande": [
        "Jag har en examen i ekonomi från Uppsala.",
        "Vi saknar kompetens inom juridik på enheten.",                                   # resurser
        "Nästa gång vi ses ska vi gå igenom budgeten.",
        "Appen ska hjälpa eleverna att lära sig läsa.",
        "Barnen lär sig simma på fritids.",
        "Hon har en utbildning som undersköterska.",
    ],
    "effekter": [
        "Vi utvärderade tre anbud och valde det billigaste.",                            # forfarande
        "Det var en effektiv workshop där vi hann med allt.",
        "Vi mätte upp rummet innan möblerna kom.",
        "Vi följer upp fakturorna varje månad.",
        "Vi följde upp med ett mejl till leverantören.",
        "Ljudeffekterna i filmen var överdrivna.",
    ],
}

# A third round, written after the rules were final and NOT used to change
# them: how far the rules reach beyond the sentences they were written for.
# Measured once: codingkit 1.0's codebook 22 of 60, after round 1 29, after
# round 2 29 (the second round of rules added nothing here); traps 10 of 10.
# The test keeps that floor so that a change of the rules cannot silently
# lose ground; do not write rules from these sentences (write a new round).
UNSEEN_POSITIVES: dict[str, list[str]] = {
    "tidig_dialog": [
        "Vi ordnade ett frukostmöte dit vi bjöd in branschen.",
        "Innan upphandlingen ringde jag själv till de tre största aktörerna.",
        "Det var väldigt nyttigt att få höra leverantörernas syn innan kraven låstes.",
        "Vi publicerade en förhandsinformation så att företagen kunde förbereda sig.",
        "Vi gjorde ingen koll av vad som redan fanns, och det straffade sig.",
        "Som litet bolag fick vi möjlighet att visa vår prototyp för regionen innan de skrev något.",
    ],
    "behov": [
        "Utgångsläget var att nattpersonalen gick runt och tittade till alla, oavsett om det behövdes.",
        "Vi vände på det och frågade: vad ska bli bättre för den som bor här?",
        "Vi satt i fokusgrupper med anhöriga under våren.",
        "Det viktiga var att hitta vad som verkligen skaver i vardagen.",
        "Vi skrev inga tekniska specifikationer, bara vilket problem som skulle lösas.",
        "Vi lät personalen prioritera vilka problem som var viktigast att lösa först.",
    ],
    "kommersialisering": [
        "Efter oss har de fått två nya kunder i Skåne.",
        "Bolaget ska börsnoteras nästa år.",
        "Det är en svensk uppfinning som nu säljs i hela Skandinavien.",
        "Vårt avtal gjorde att de kunde visa investerarna att det finns en marknad.",
        "Nu vill andra kommuner köpa in samma larm.",
        "Vem som får sälja vidare det vi tagit fram tillsammans var en knäckfråga.",
    ],
    "forfarande": [
        "Vi delade upp upphandlingen i två delområden.",
        "Utvärderingen gjordes av en grupp med både kliniker och tekniker som satte poäng.",
        "Vi skrev in vitesklausuler för försenade leveranser.",
        "Det var en öppen upphandling med sista anbudsdag i mars.",
        "Vi fick svara på över hundra frågor under anbudstiden.",
        "Kraven på referenser gjorde att flera små bolag inte kunde lämna anbud.",
    ],
    "risk_regelverk": [
        "Jag tror att många upphandlare är rädda för att hamna i en överprövning.",
        "Reglerna säger att man inte får ändra förutsättningarna mitt i.",
        "Det fanns en osäkerhet kring vem som äger datan juridiskt.",
        "Vi var oroliga för att vi skulle peka ut en leverantör i underlaget.",
        "Det är riskfyllt för en kommun att köpa något som ingen annan har testat.",
        "Med medicinteknik finns det massor av krav på certifiering.",
    ],
    "forankring": [
        "Jag rapporterar till en styrgrupp en gång i månaden.",
        "Direktören har varit tydlig med att det här är prioriterat.",
        "Det var svårt att få avdelningscheferna att släppa iväg folk till projektet.",
        "När vi bytte organisation försvann halva projektet.",
        "Upphandlaren och jag har fått lära känna varandras världar.",
        "Vi har inte haft något stöd uppifrån alls.",
    ],
    "samverkan": [
        "Fyra regioner gick samman och delade på kostnaden.",
        "Vi har lärt oss mycket av Västra Götaland, de låg ett år före.",
        "Högskolan i Jönköping gjorde följeforskningen.",
        "Vi har en referensgrupp med representanter från flera kommuner.",
        "Vi fick stöd från Upphandlingsmyndighetens innovationsstöd.",
        "Det är svårt att samordna sig när alla har olika budgetår.",
    ],
    "resurser": [
        "Jag har det här som en bisyssla vid sidan av mitt vanliga jobb.",
        "Det saknades pengar för att gå vidare med fas två.",
        "Vi är underbemannade på enheten sedan två år.",
        "Hela budgeten gick åt till utvecklingen.",
        "Vi fick inte loss några timmar från verksamheten.",
        "Leverantören ville ha betalt för utvecklingstiden men det hade vi inte räknat med.",
    ],
    "larande": [
        "Det var en riktig läxa för oss.",
        "Vi har tagit fram en modell som andra kan använda.",
        "Vi gick en utbildning i behovsanalys innan vi började.",
        "Vi skulle ha involverat IT mycket tidigare, det har vi lärt oss.",
        "I nästa upphandling kommer vi att börja med en RFI.",
        "Kunskapen stannar inte hos mig, vi har dokumenterat allt.",
    ],
    "effekter": [
        "Fallolyckorna har minskat rejält.",
        "Vi har inga siffror än på om det har blivit billigare.",
        "Det har frigjort tid som personalen kan lägga på patienterna.",
        "Lösningen används på alla boenden i kommunen nu.",
        "Utvärderingen visar att de anhöriga känner sig tryggare.",
        "Om ett år ska vi se om det har gett någon effekt på sjukskrivningarna.",
    ],
}
UNSEEN_NEGATIVES: dict[str, list[str]] = {
    "tidig_dialog": [
        "Vi pratade med leverantören om supporten efter installationen.",
    ],
    "behov": [
        "Vi har behov av en till upphandlare på enheten.",
    ],
    "kommersialisering": [
        "Vi köpte kaffe på marknaden i stan.",
    ],
    "forfarande": [
        "Vi är i slutfasen av renoveringen av huset.",
    ],
    "risk_regelverk": [
        "Det regnade så vi tog risken och stannade inne.",
    ],
    "forankring": [
        "Vi hade ett trevligt möte med leverantörens vd.",
    ],
    "samverkan": [
        "Samarbetet med leverantören fungerade bra under hela piloten.",
    ],
    "resurser": [
        "Vi behöver veta hur patienterna mår på natten.",
    ],
    "larande": [
        "Hon kunde läsa när hon var fyra.",
    ],
    "effekter": [
        "Vi utvärderade anbuden i två veckor.",
    ],
}
UNSEEN_FLOOR = 29

CASES = [(theme, text, True) for theme, texts in POSITIVES.items() for text in texts] + [
    (theme, text, False) for theme, texts in NEGATIVES.items() for text in texts
]


def test_every_theme_has_paraphrases_and_traps(codebook):
    assert set(POSITIVES) == set(NEGATIVES) == {t.id for t in codebook.themes}
    for theme in POSITIVES:
        assert len(POSITIVES[theme]) >= 15, theme
        assert len(NEGATIVES[theme]) >= 3, theme
    texts = [text for _, text, _ in CASES]
    texts += [x for d in (UNSEEN_POSITIVES, UNSEEN_NEGATIVES) for xs in d.values() for x in xs]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize(
    "theme,text,positive", CASES,
    ids=[f"{'pos' if p else 'neg'}-{t}-{s[:30]}" for t, s, p in CASES],
)
def test_paraphrase(themes_of, theme, text, positive):
    found = themes_of(text)
    if positive:
        assert theme in found, (theme, text, found)
    else:
        assert theme not in found, (theme, text, found)


def test_unseen_paraphrases_keep_their_floor(themes_of):
    found = themes_of
    missed = [(t, x) for t, xs in UNSEEN_POSITIVES.items() for x in xs if t not in found(x)]
    caught = sum(len(xs) for xs in UNSEEN_POSITIVES.values()) - len(missed)
    assert caught >= UNSEEN_FLOOR, (caught, missed)
    trapped = [(t, x) for t, xs in UNSEEN_NEGATIVES.items() for x in xs if t in found(x)]
    assert trapped == []
