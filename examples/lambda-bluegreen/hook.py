"""BeforeAllowTraffic / AfterAllowTraffic フック用 Lambda 関数の骨組み (Python, boto3)。"""

import boto3

codedeploy = boto3.client("codedeploy")


def handler(event, context):
    status = "Succeeded"
    try:
        # ここで新しいバージョンを呼び出すなどして検証する
        pass
    except Exception:
        status = "Failed"

    # 結果を CodeDeploy に報告する (報告しないと 1 時間後にデプロイ失敗)
    codedeploy.put_lifecycle_event_hook_execution_status(
        deploymentId=event["DeploymentId"],
        lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
        status=status,
    )
