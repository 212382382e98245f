import { describe, expect, it } from "vitest";
import { jsonAnswerToQuery, queryToJson } from "../../../../local/emulators/sqs-query.js";

describe("SQS query protocol ↔ JSON", () => {
  it("reads list members, batch entries, CreateQueue attributes and tags, with numbers as numbers", () => {
    expect(
      queryToJson(
        "ReceiveMessage",
        new URLSearchParams(
          "Action=ReceiveMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Fh%2F0%2Fq&AttributeName.1=All&MessageAttributeName.1=All&MaxNumberOfMessages=10&VisibilityTimeout=0",
        ),
      ),
    ).toEqual({
      QueueUrl: "http://h/0/q",
      AttributeNames: ["All"],
      MessageAttributeNames: ["All"],
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 0,
    });
    expect(
      queryToJson(
        "ChangeMessageVisibilityBatch",
        new URLSearchParams(
          "QueueUrl=q&ChangeMessageVisibilityBatchRequestEntry.2.Id=b&ChangeMessageVisibilityBatchRequestEntry.1.Id=a&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=h1&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=5",
        ),
      ),
    ).toEqual({
      QueueUrl: "q",
      Entries: [{ Id: "a", ReceiptHandle: "h1", VisibilityTimeout: 5 }, { Id: "b" }],
    });
    expect(
      queryToJson(
        "CreateQueue",
        new URLSearchParams(
          "QueueName=q&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=60&Tag.1.Key=team&Tag.1.Value=ops",
        ),
      ),
    ).toEqual({ QueueName: "q", Attributes: { VisibilityTimeout: "60" }, tags: { team: "ops" } });
  });

  it("answers messages, attributes and batch results in XML, escaping text", () => {
    const out = jsonAnswerToQuery("ReceiveMessage", {
      status: 200,
      headers: { "x-amzn-requestid": "r-1" },
      body: JSON.stringify({
        Messages: [
          {
            MessageId: "m1",
            ReceiptHandle: "h1",
            MD5OfBody: "x",
            Body: '<a & "b">',
            Attributes: { ApproximateReceiveCount: "1" },
            MessageAttributes: { correlationId: { DataType: "String", StringValue: "c-1" } },
          },
        ],
      }),
    });
    expect(out.headers["content-type"]).toBe("text/xml");
    expect(out.body).toContain(
      "<ReceiveMessageResult><Message><MessageId>m1</MessageId><ReceiptHandle>h1</ReceiptHandle>",
    );
    expect(out.body).toContain("<Body>&lt;a &amp; &quot;b&quot;&gt;</Body>");
    expect(out.body).toContain("<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>");
    expect(out.body).toContain(
      "<MessageAttribute><Name>correlationId</Name><Value><StringValue>c-1</StringValue><DataType>String</DataType></Value></MessageAttribute>",
    );
    expect(out.body).toContain("<RequestId>r-1</RequestId>");

    const batch = jsonAnswerToQuery("DeleteMessageBatch", {
      status: 200,
      headers: {},
      body: JSON.stringify({
        Successful: [{ Id: "a" }],
        Failed: [{ Id: "b", Code: "ReceiptHandleIsInvalid", Message: "no", SenderFault: true }],
      }),
    });
    expect(batch.body).toContain("<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>");
    expect(batch.body).toContain(
      "<BatchResultErrorEntry><Id>b</Id><Code>ReceiptHandleIsInvalid</Code><Message>no</Message><SenderFault>true</SenderFault></BatchResultErrorEntry>",
    );
    expect(jsonAnswerToQuery("PurgeQueue", { status: 200, headers: {}, body: "" }).body).toMatch(
      /^<\?xml version="1.0"\?><PurgeQueueResponse [^>]+><ResponseMetadata>/,
    );
  });

  it("turns a JSON error into the query protocol's ErrorResponse with the query error code", () => {
    const out = jsonAnswerToQuery("ReceiveMessage", {
      status: 400,
      headers: { "x-amzn-query-error": "AWS.SimpleQueueService.NonExistentQueue;Sender" },
      body: JSON.stringify({
        __type: "com.amazonaws.sqs#QueueDoesNotExist",
        message: "The specified queue does not exist.",
      }),
    });
    expect(out.status).toBe(400);
    expect(out.body).toContain(
      "<Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist.</Message>",
    );
  });
});
