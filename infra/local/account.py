"""The fake AWS account the local stack runs in: its id, region, credentials and stack name, and the
ids and ARNs of local resources, built here only so every trigger and event names them the same way.
"""

from __future__ import annotations

import hashlib

REGION = "ap-south-1"
ACCOUNT_ID = "000000000000"
PARTITION = "aws"
STACK_NAME = "peerlearn-local"
# Fixed fake credentials: DynamoDB Local accepts any, and one set everywhere keeps things predictable.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}

# What CloudFormation's pseudo parameters (`!Ref AWS::Region`...) stand for locally.
PSEUDO_PARAMETERS = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::Partition": PARTITION,
    "AWS::StackName": STACK_NAME,
}


def api_id(logical_id: str) -> str:
    """A stable, API-Gateway-looking id (10 lowercase characters) for a REST or WebSocket API."""
    return hashlib.sha256(logical_id.encode()).hexdigest()[:10]


def function_arn(function_name: str) -> str:
    return f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT_ID}:function:{function_name}"


def execute_api_arn(api: str, stage: str, method: str, path: str) -> str:
    """The ARN an authorizer's policy is evaluated against: `.../<api id>/<stage>/<METHOD><path>`."""
    return f"arn:{PARTITION}:execute-api:{REGION}:{ACCOUNT_ID}:{api}/{stage}/{method}{path}"


def table_arn(table_name: str) -> str:
    return f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT_ID}:table/{table_name}"


def bucket_arn(bucket: str) -> str:
    return f"arn:{PARTITION}:s3:::{bucket}"


def rule_arn(name: str) -> str:
    """An EventBridge rule (a `Schedule` event)."""
    return f"arn:{PARTITION}:events:{REGION}:{ACCOUNT_ID}:rule/{name}"


def schedule_arn(group: str, name: str) -> str:
    """An EventBridge Scheduler schedule (a `ScheduleV2` event)."""
    return f"arn:{PARTITION}:scheduler:{REGION}:{ACCOUNT_ID}:schedule/{group}/{name}"
