using System.Globalization;
using Switchboard.Contacts;

namespace Switchboard.Bench;

/// <summary>One generated contact, with every column the bulk loaders write.</summary>
public sealed record SeedContact(
    long Id, long TenantId, string Name, string Email, string Phone, string? WaId, bool? WhatsAppOptIn, DateTimeOffset? WhatsAppOptInAt,
    string? WhatsAppOptInSource, string SearchText, DateTimeOffset CreatedAt, string? Tag);

/// <summary>Deterministic, realistic-looking contacts: the same seed gives the same rows on both providers, so their figures
/// compare like with like.</summary>
public static class ContactData
{
    public static readonly string[] FirstNames =
    [
        "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William", "Barbara",
        "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Christopher", "Lisa", "Daniel", "Nancy",
        "Matthew", "Betty", "Anthony", "Margaret", "Mark", "Sandra", "Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily",
        "Andrew", "Donna", "Joshua", "Michelle", "Kenneth", "Carol", "Kevin", "Amanda", "Brian", "Melissa", "George", "Deborah",
        "Timothy", "Stephanie", "Ronald", "Rebecca", "Edward", "Sharon", "Jason", "Laura", "Jeffrey", "Cynthia", "Ryan", "Kathleen",
        "Jacob", "Amy", "Gary", "Angela", "Nicholas", "Shirley", "Eric", "Anna", "Jonathan", "Brenda", "Stephen", "Pamela",
        "Larry", "Emma", "Justin", "Nicole", "Scott", "Helen", "Brandon", "Samantha", "Benjamin", "Katherine", "Samuel", "Christine",
        "Gregory", "Debra", "Alexander", "Rachel", "Frank", "Carolyn", "Patrick", "Janet", "Raymond", "Catherine", "Jack", "Maria",
        "Dennis", "Heather", "Jerry", "Diane", "Tyler", "Ruth", "Aaron", "Julie", "Jose", "Olivia", "Adam", "Joyce", "Nathan",
        "Virginia", "Henry", "Victoria", "Douglas", "Kelly", "Zachary", "Lauren", "Peter", "Christina", "Kyle", "Joan", "Ethan",
        "Evelyn", "Walter", "Judith", "Noah", "Megan", "Jeremy", "Andrea", "Christian", "Cheryl", "Keith", "Hannah", "Roger",
        "Jacqueline", "Terry", "Martha", "Gerald", "Gloria", "Harold", "Teresa", "Sean", "Ann", "Austin", "Sara", "Carl", "Madison",
        "Arthur", "Frances", "Lawrence", "Kathryn", "Dylan", "Janice", "Jesse", "Jean", "Jordan", "Abigail", "Bryan", "Alice",
        "Billy", "Judy", "Joe", "Sophia", "Bruce", "Grace", "Gabriel", "Denise", "Logan", "Amber", "Albert", "Doris", "Willie",
        "Marilyn", "Alan", "Danielle", "Juan", "Beverly", "Wayne", "Isabella", "Elijah", "Theresa", "Randy", "Diana", "Roy",
        "Natalie", "Vincent", "Brittany", "Ralph", "Charlotte", "Eugene", "Marie", "Russell", "Kayla", "Bobby", "Alexis", "Mason",
        "Lori", "Aisha", "Mohammed", "Priya", "Wei", "Yuki", "Kwame", "Fatima", "Luca", "Ingrid", "Mateo", "Chiara", "Dmitri",
    ];

    public static readonly string[] LastNames =
    [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez",
        "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson",
        "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
        "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
        "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes",
        "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey",
        "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez", "Wood", "James",
        "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross",
        "Foster", "Jimenez", "Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson",
        "Barnes", "Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan", "Patterson", "Alexander", "Hamilton", "Graham",
        "Reynolds", "Griffin", "Wallace", "Moreno", "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson", "Ellis", "Tran",
        "Medina", "Aguilar", "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens", "Harrison", "Fernandez", "McDonald",
        "Woods", "Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen", "Freeman", "Webb", "Tucker", "Guzman", "Burns",
        "Crawford", "Olson", "Simpson", "Porter", "Hunter", "Gordon", "Mendez", "Silva", "Shaw", "Snyder", "Mason", "Dixon",
        "Munoz", "Hunt", "Hicks", "Holmes", "Palmer", "Wagner", "Black", "Robertson", "Boyd", "Rose", "Stone", "Salazar", "Fox",
        "Warren", "Mills", "Meyer", "Rice", "Schmidt", "Garza", "Daniels", "Ferguson", "Nichols", "Stephens", "Soto", "Weaver",
        "Ryan", "Gardner", "Payne", "Grant", "Dunn", "Kowalski", "Okafor", "Yamamoto", "Haddad", "Rossi", "Novak", "Larsen",
    ];

    private static readonly string[] Domains = ["example.com", "mail.example.org", "inbox.example.net", "corp.example.com"];

    /// <summary>~10% of contacts carry one tag; half of those are "vip".</summary>
    private static readonly string[] Tags = ["vip", "vip", "vip", "vip", "vip", "lead", "lead", "lead", "partner", "partner"];

    private static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The contacts of one tenant, with ids from <paramref name="firstId"/> on. Emails and phones embed the
    /// contact's index, so they are unique per tenant as the unique indexes require.</summary>
    public static IEnumerable<SeedContact> ForTenant(int tenantIndex, long tenantId, long firstId, int count)
    {
        var random = new Random(1_000 + tenantIndex);
        for (var i = 0; i < count; i++)
        {
            var first = FirstNames[random.Next(FirstNames.Length)];
            var last = LastNames[random.Next(LastNames.Length)];
            var name = $"{first} {last}";
            var email = $"{first}.{last}{i}@{Domains[random.Next(Domains.Length)]}".ToLowerInvariant();
            var phone = "+1" + (2_025_550_000L + i).ToString(CultureInfo.InvariantCulture);
            var createdAt = Epoch.AddMinutes(random.Next(2 * 365 * 24 * 60));
            var optedIn = random.Next(3) == 0;
            var tag = random.Next(10) == 0 ? Tags[random.Next(Tags.Length)] : null;
            // The server's own function, so search matches exactly what the API would have stored.
            var searchText = ContactService.SearchTextOf(new Contact { Name = name, Email = email, Phone = phone });
            yield return new SeedContact(firstId + i, tenantId, name, email, phone, optedIn ? phone[1..] : null, optedIn ? true : null,
                optedIn ? createdAt : null, optedIn ? "import" : null, searchText, createdAt, tag);
        }
    }

    /// <summary>What a person types into the search box: 4-6 letters out of a first or last name, varied per request.</summary>
    public static string[] SearchTerms(int count)
    {
        var random = new Random(42);
        var terms = new string[count];
        for (var i = 0; i < count; i++)
        {
            string source;
            do
                source = random.Next(2) == 0 ? FirstNames[random.Next(FirstNames.Length)] : LastNames[random.Next(LastNames.Length)];
            while (source.Length < 4);
            var length = Math.Min(source.Length, random.Next(4, 7));
            terms[i] = source.Substring(random.Next(source.Length - length + 1), length).ToLowerInvariant();
        }
        return terms;
    }
}
