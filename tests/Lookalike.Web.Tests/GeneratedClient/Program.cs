// A program built on the C# client Kiota generates from the server's OpenAPI document (GeneratedClientTests):
// it searches by upload and by id with a read key, and adds an image with a write key, over TLS.
// Arguments: BASE_URL CERT_THUMBPRINT READ_KEY WRITE_KEY QUERY_IMAGE UPLOAD_IMAGE. Prints one line per step.
using Lookalike.Client;
using Lookalike.Client.Models;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

string baseUrl = args[0], thumbprint = args[1], readKey = args[2], writeKey = args[3], query = args[4], upload = args[5];

LookalikeClient Client(string key)
{
    // The test server's certificate is self-signed: trust exactly that one.
    var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == thumbprint };
    var http = new HttpClient(handler);
    var host = new Uri(baseUrl).Host;
    var auth = new ApiKeyAuthenticationProvider(key, "X-Api-Key", ApiKeyAuthenticationProvider.KeyLocation.Header, host);
    return new LookalikeClient(new HttpClientRequestAdapter(auth, httpClient: http) { BaseUrl = baseUrl });
}

MultipartBody Form(string path, params (string Name, string Value)[] fields)
{
    var body = new MultipartBody();
    body.AddOrReplacePart("image", "application/octet-stream", (Stream)File.OpenRead(path), Path.GetFileName(path));
    foreach (var (name, value) in fields) body.AddOrReplacePart(name, "text/plain", value);
    return body;
}

var reader = Client(readKey);
var byUpload = await reader.Api.Search.PostAsync(Form(query, ("k", "3")));
Console.WriteLine($"upload-top {byUpload!.Results![0].FileName} {byUpload.Results.Count}");
long first = byUpload.Results[0].Id!.Value;
var byId = await reader.Api.Search.ById[first].PostAsync(c => c.QueryParameters.K = "2");
Console.WriteLine($"by-id-top {byId!.Results![0].Id} {first} {byId.Results.Count}");
try
{
    await reader.Api.Images.PostAsync(Form(upload, ("label", "client")));
    Console.WriteLine("read-upload accepted");
}
catch (ProblemDetails problem)
{
    Console.WriteLine($"read-upload refused {problem.ResponseStatusCode} {problem.Title}");
}
var writer = Client(writeKey);
var added = await writer.Api.Images.PostAsync(Form(upload, ("label", "client")));
Console.WriteLine($"write-upload {added!.Added} {added.Id}");
var found = await reader.Api.Search.PostAsync(Form(upload, ("k", "1")));
Console.WriteLine($"found-upload {found!.Results![0].Id} {found.Results[0].Label}");
